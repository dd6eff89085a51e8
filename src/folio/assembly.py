"""The composition root: the runtime every process builds, with the domains that consume the
event log, and the other links from a lower package up to the ones built on it. ``app.py``,
the Celery worker and scripts build their runtime here, so each process that emits events
records the same webhook deliveries and notifications with them."""

from __future__ import annotations

from folio.automations.service import automation as automation_service
from folio.config import Settings
from folio.core.runtime import EventConsumer, Runtime
from folio.core.runtime import build_runtime as build_core_runtime
from folio.crawls.service import crawl as crawl_service
from folio.datasets.service import dataset as dataset_service
from folio.documents.service import document as document_service
from folio.images.service import image as image_service
from folio.notifications.service import notification as notification_service
from folio.projects.service import project as project_service
from folio.retention.service import retention as retention_service
from folio.tags.service import label as label_service
from folio.webhooks.service import webhook as webhook_service

EVENT_CONSUMERS: tuple[EventConsumer, ...] = (
    webhook_service.enqueue_for_events,
    notification_service.from_events,
    automation_service.enqueue_for_events,
)

# a project's read counts what the packages above projects keep for it
project_service.count_with("job_count", crawl_service.count_per_project)
project_service.count_with("image_count", image_service.unique_count_per_project)
project_service.count_with("dataset_count", dataset_service.count_per_project)

# a document under legal hold is not deleted (retention sits above documents)
document_service.guard_deletion(retention_service.refuse_held)
# the list filters tag= and field.<name>= (tags sit above documents)
document_service.filter_labels_with(label_service.filter_ids)
document_service.search_labels_with(label_service.search_ids)


def build_runtime(settings: Settings) -> Runtime:
    return build_core_runtime(settings, event_consumers=EVENT_CONSUMERS)
