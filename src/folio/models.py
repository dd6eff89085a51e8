"""Every table, imported in one place so Alembic and ``create_all`` see the whole schema."""

from folio.batches.models import Batch
from folio.core.db import Base
from folio.documents.models import Document, DocumentPage
from folio.idempotency.models import IdempotencyRecord
from folio.jobs.models import Job
from folio.teams.models import Team

__all__ = ["Base", "Batch", "Document", "DocumentPage", "IdempotencyRecord", "Job", "Team"]
