"""The Celery application of the scale-out executor: one queue per priority, ids only.

Messages carry a job id and nothing else; the database decides who runs it (a claim with a
lease), so a redelivered or duplicated message never runs a job twice.
"""

from __future__ import annotations

from collections.abc import Callable

from celery import Celery

from folio.config import Settings
from folio.jobs.models import JobPriority

TASK_NAME = "folio.job.run"
REPORT_TASK = "folio.report.build"  # a report waits; reports go on the low-priority queue
QUEUES = {
    JobPriority.high: "folio.high",
    JobPriority.normal: "folio.normal",
    JobPriority.low: "folio.low",
}
ALL_QUEUES = [QUEUES[p] for p in sorted(QUEUES)]  # high first: workers drain it first


def queue_for(priority: int) -> str:
    return QUEUES.get(JobPriority(priority), QUEUES[JobPriority.normal])


def visibility_timeout_s(settings: Settings) -> int:
    """An unacknowledged message returns to its queue after this long, when its worker died
    without a word. Longer than any job may run, so a slow job is not handed out twice."""
    return int(settings.job_time_limit_s + 4 * settings.job_lease_s + 60)


def report_sender(celery: Celery) -> Callable[[str], None]:
    def send(report_id: str) -> None:
        celery.send_task(REPORT_TASK, args=[report_id], queue=QUEUES[JobPriority.low])

    return send


def make_celery(settings: Settings) -> Celery:
    broker = settings.broker_url
    if not broker:
        raise ValueError("FOLIO_EXECUTOR=celery needs FOLIO_REDIS_URL or FOLIO_CELERY_BROKER_URL")
    app = Celery("folio", broker=broker, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUES[JobPriority.normal],
        task_acks_late=True,  # a worker killed mid-job leaves its message to be redelivered
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,  # reserve one job per process: priorities stay in force
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # Redis restarts: keep trying
        broker_transport_options={
            "visibility_timeout": visibility_timeout_s(settings),
            "queue_order_strategy": "priority",
        },
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
    )
    return app
