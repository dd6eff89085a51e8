"""Bulk operations on many documents: process, reprocess, cancel, delete. One bad or unknown
id never stops the others; each gets its own outcome."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import Conflict
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document, DocumentStatus
from folio.documents.repository import DocumentRepository
from folio.documents.schemas import BulkItem, BulkProcessRequest, BulkResult, ProcessingOptions
from folio.documents.service import document as document_service
from folio.documents.uploads import ensure_may_prioritize

RETRYABLE = (DocumentStatus.failed, DocumentStatus.cancelled)


def _result(action: str, items: list[BulkItem]) -> BulkResult:
    return BulkResult(
        action=action,
        requested=len(items),
        accepted=sum(i.outcome == "accepted" for i in items),
        skipped=sum(i.outcome == "skipped" for i in items),
        not_found=sum(i.outcome == "not_found" for i in items),
        items=items,
    )


class BulkService:
    async def _load(
        self, session: AsyncSession, principal: Principal, document_ids: Sequence[str]
    ) -> tuple[list[str], dict[str, Document]]:
        unique = list(dict.fromkeys(document_ids))
        found = await DocumentRepository.from_session(session).get_many(principal, unique)
        return unique, {d.id: d for d in found}

    async def process(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        request: BulkProcessRequest,
    ) -> BulkResult:
        if request.options is not None and "priority" in request.options.model_fields_set:
            ensure_may_prioritize(principal, request.options)  # refused before any document
        ids, documents = await self._load(session, principal, request.document_ids)
        items: list[BulkItem] = []
        to_cancel: list[Document] = []
        for document_id in ids:
            document = documents.get(document_id)
            if document is None:
                items.append(BulkItem(document_id=document_id, outcome="not_found"))
            elif request.action == "cancel":
                items.append(self._cancel_item(document, to_cancel))
            else:
                items.append(await self._run_item(session, principal, runtime, document, request))
        if to_cancel:
            await document_service.cancel(session, runtime, to_cancel)
            for item in items:
                if item.outcome == "accepted":
                    item.status = DocumentStatus.cancelled
        return _result(request.action, items)

    def _cancel_item(self, document: Document, to_cancel: list[Document]) -> BulkItem:
        if document.status.is_final:
            return BulkItem(
                document_id=document.id,
                outcome="skipped",
                status=document.status,
                detail=f"Already {document.status}.",
            )
        to_cancel.append(document)
        return BulkItem(document_id=document.id, outcome="accepted", status=document.status)

    async def _run_item(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document: Document,
        request: BulkProcessRequest,
    ) -> BulkItem:
        skip = self._skip_reason(document, request.action)
        if skip is not None:
            return BulkItem(
                document_id=document.id, outcome="skipped", status=document.status, detail=skip
            )
        options: ProcessingOptions = document_service.merged_options(
            principal, document, request.options
        )
        await document_service.process_again(session, runtime, document, options)
        return BulkItem(document_id=document.id, outcome="accepted", status=document.status)

    def _skip_reason(self, document: Document, action: str) -> str | None:
        if not document.status.is_final:
            return f"Already {document.status}."
        if action == "process" and document.status not in RETRYABLE:
            return "Already processed; use reprocess for a new version."
        return None

    async def delete(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_ids: Sequence[str],
    ) -> BulkResult:
        ids, documents = await self._load(session, principal, document_ids)
        items = []
        for document_id in ids:
            if document_id in documents:
                try:  # a guard (legal hold) refuses before anything of it changed
                    await document_service.delete(session, principal, runtime, document_id)
                except Conflict as refused:
                    items.append(
                        BulkItem(document_id=document_id, outcome="skipped", detail=refused.detail)
                    )
                    continue
                items.append(BulkItem(document_id=document_id, outcome="accepted"))
            else:
                items.append(BulkItem(document_id=document_id, outcome="not_found"))
        return _result("delete", items)


bulk = BulkService()
