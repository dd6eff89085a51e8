"""What the intelligence domains do once a document's results are recorded.

Called by the documents service inside the job runner's transaction. The team's classifier
is best effort: a model that cannot be loaded or used is logged and the rules' type stays.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from folio.classifiers.service import classifier as classifier_service
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.recommendations.service import recommendation as recommendation_service
from folio.security_scans.service import security_scan as security_scan_service

logger = logging.getLogger("folio.understanding")


async def after_result(session: AsyncSession, runtime: Runtime, document: Document) -> None:
    try:
        await classifier_service.apply_to_document(session, runtime, document)
    except Exception:  # a missing blob, a model from another scikit-learn: never fail the document
        logger.exception("team classifier not applied to %s", document.id)
    await security_scan_service.record_processing(session, runtime, document)
    await recommendation_service.materialize(session, document)
