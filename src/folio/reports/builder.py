"""Builds pending reports in the background, one at a time per process, under a lease, and
turns due schedules into reports. Recipients get a mail with the figures, a link and the file
attached (up to ``FOLIO_REPORT_MAIL_ATTACH_MAX_BYTES``). With Celery, the workers build them.
Embedded, the API process reads the figures (the pool's workers have no database) and a worker
process of ``runtime.renderer`` draws the file, so a large PDF never stalls the API.

Several processes may run a builder against one database: a report is claimed with a
compare-and-set that gives it a lease; a builder that died leaves a lease that lapses, and
another builder claims the report again."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import anyio

from folio.analytics.schemas import Period
from folio.core.background import stop_task
from folio.core.db import after_commit, utcnow
from folio.core.ids import IdPrefix, new_id
from folio.core.leases import holder_name
from folio.core.mail import Attachment, Mail
from folio.core.runtime import Runtime
from folio.reports.content import Content, collect
from folio.reports.models import Report, ReportStatus
from folio.reports.render import MEDIA_TYPES, render, render_in_worker
from folio.reports.repository import ReportRepository, ScheduleRepository
from folio.reports.schedule import covered_period, next_run
from folio.reports.service import BUILDER

logger = logging.getLogger("folio.reports")
POLL_S = 30.0
LEASE = timedelta(minutes=10)  # a report is built in seconds; a lapsed one is built again
MAX_ATTEMPTS = 3
DUE_BATCH = 50
MAX_REPORT_BYTES = 1 << 32
SUFFIX = {"csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}


def blob_key(report: Report) -> str:
    return f"reports/{report.team_id}/{report.id}-{report.attempts}.{SUFFIX[report.format]}"


Send = Callable[[str], None]  # hands a report id to a worker (blocking)


class ReportBuilder:
    """With ``send`` (``FOLIO_EXECUTOR=celery``), this process only turns due schedules into
    reports and hands each waiting report to the Celery workers, which build and mail it
    (:func:`build_one`); without, it builds them itself."""

    def __init__(
        self, runtime: Runtime, send: Send | None = None, *, in_worker: bool = False
    ) -> None:
        self.runtime = runtime
        self.send = send
        self.in_worker = in_worker  # a Celery worker draws the file itself
        self._sent: dict[str, float] = {}  # report id → when handed to the workers
        self.name = holder_name()
        self.stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.runtime.state[BUILDER] = self
        self._task = asyncio.create_task(self._run(), name="folio-reports")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        self.stopping.set()
        self._wake.set()
        await stop_task(self._task)
        self.runtime.state.pop(BUILDER, None)

    async def _run(self) -> None:
        while not self.stopping.is_set():
            self._wake.clear()
            try:
                await self.step()
            except Exception:
                logger.exception("the report builder step failed; it runs again later")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_S):
                    await self._wake.wait()

    async def step(self) -> None:
        await self.schedule_due()
        if self.send is not None:
            await self.hand_out()
            return
        while not self.stopping.is_set() and await self.build_next():
            pass

    async def hand_out(self) -> int:
        """One message per waiting report, again once a lease's time has passed without it
        being built (a lost message). A duplicate message costs a worker one empty claim."""
        assert self.send is not None
        async with self.runtime.db.session(write=False) as session:
            waiting = await ReportRepository.from_session(session).waiting(utcnow(), DUE_BATCH)
        now = time.monotonic()
        self._sent = {id_: at for id_, at in self._sent.items() if id_ in waiting}
        fresh = [id_ for id_ in waiting if now - self._sent.get(id_, -1e9) > LEASE.total_seconds()]
        for report_id in fresh:
            await anyio.to_thread.run_sync(self.send, report_id)
            self._sent[report_id] = now
        return len(fresh)

    async def schedule_due(self) -> int:
        """Adds a report for each schedule whose time has come and moves it to its next run."""
        now = utcnow()
        async with self.runtime.db.session() as session:
            due = await ScheduleRepository.from_session(session).due(now, limit=DUE_BATCH)
            for schedule in due:
                period = covered_period(schedule.cadence, schedule.next_run_at)
                report = Report(
                    id=new_id(IdPrefix.report),
                    team_id=schedule.team_id,
                    kind=schedule.kind,
                    format=schedule.format,
                    period_start=period.start,
                    period_end=period.end,
                    created_by=schedule.created_by,
                    schedule_id=schedule.id,
                    recipients=list(schedule.recipients),
                    status=ReportStatus.pending,
                    attempts=0,
                )
                if await ReportRepository.from_session(session).add_for_slot(report):
                    schedule.last_report_id = report.id
                else:
                    logger.warning("schedule %s: %s already has its report", schedule.id, period)
                schedule.next_run_at = next_run(schedule.cadence, max(now, schedule.next_run_at))
        return len(due)

    async def build_next(self) -> bool:
        """Claims and builds one report; False when none waits."""
        async with self.runtime.db.session() as session:
            repository = ReportRepository.from_session(session)
            report_id = await repository.claim(self.name, utcnow(), LEASE)
            report = await repository.held(report_id, self.name) if report_id else None
        if report is None:
            return False
        try:
            content, data = await self._make(report)
            key = blob_key(report)
            stored = await anyio.to_thread.run_sync(self._store, key, data)
        except Exception as error:
            logger.exception("report %s failed", report.id)
            await self._finish(report, error=f"{type(error).__name__}: {error}"[:500])
            return True
        await self._finish(report, key=key, size=stored, content=content, data=data)
        return True

    async def _make(self, report: Report) -> tuple[Content, bytes]:
        period = Period(report.period_start, report.period_end)
        async with self.runtime.db.session(write=False) as session:
            content = await collect(session, report.kind, report.team_id, period)
        if self.in_worker:
            return content, await anyio.to_thread.run_sync(render, content, report.format)
        data, pid = await self.runtime.renderer.run(render_in_worker, content, report.format)
        logger.info("report %s: %s drawn by worker process %d", report.id, report.format, pid)
        return content, data

    def _store(self, key: str, data: bytes) -> int:
        return self.runtime.storage.put_stream(
            key, io.BytesIO(data), max_bytes=MAX_REPORT_BYTES
        ).size

    async def _finish(
        self,
        report: Report,
        *,
        key: str | None = None,
        size: int = 0,
        content: Content | None = None,
        data: bytes = b"",
        error: str | None = None,
    ) -> None:
        async with self.runtime.db.session() as session:
            held = await ReportRepository.from_session(session).held(report.id, self.name)
            if held is None:  # another builder took it over after our lease lapsed
                if key is not None:
                    self.runtime.storage.delete(key)
                return
            held.lease_owner = held.lease_expires_at = None
            if error is not None:
                retry = held.attempts < MAX_ATTEMPTS
                held.status = ReportStatus.pending if retry else ReportStatus.failed
                held.error_message = error
                return
            held.status, held.ready_at = ReportStatus.ready, utcnow()
            held.blob_key, held.bytes, held.error_message = key, size, None
            if held.recipients and content is not None:
                attached = (
                    data
                    if len(data) <= self.runtime.settings.report_mail_attach_max_bytes
                    else None
                )
                mails = [
                    notice(self.runtime, held, content, to, attached) for to in held.recipients
                ]

                async def send() -> None:
                    for mail in mails:
                        try:
                            await self.runtime.mailer.send(mail)
                        except Exception:
                            logger.exception("report %s: mail to %s failed", held.id, mail.to)

                after_commit(session, send)


def notice(runtime: Runtime, report: Report, content: Content, to: str, data: bytes | None) -> Mail:
    """The figures and a link; the file itself attached when ``data`` is given."""
    base = runtime.settings.public_url.rstrip("/")
    lines = [
        f"{content.title} for {report.period_start} to {report.period_end} is ready.",
        "",
        *(f"{name}: {value}" for name, value in content.summary),
        "",
        f"Download ({report.format}, sign in first): {base}/api/v1/reports/{report.id}/download",
    ]
    if data is None:
        lines += ["", "The file is too large to attach; download it from the link above."]
    subject = f"Folio report: {content.title}, {report.period_start} to {report.period_end}"
    attachments = () if data is None else (report_attachment(report, data),)
    return Mail(to=to, subject=subject, body="\n".join(lines), attachments=attachments)


def report_attachment(report: Report, data: bytes) -> Attachment:
    name = f"folio-{report.kind}-{report.period_start}-{report.period_end}.{SUFFIX[report.format]}"
    return Attachment(filename=name, content_type=MEDIA_TYPES[report.format], data=data)


async def build_one(runtime: Runtime) -> bool:
    """A Celery worker's part: claims and builds one waiting report (any: the message only
    says that one waits), with this worker's runtime, storage and mailer."""
    return await ReportBuilder(runtime, in_worker=True).build_next()
