"""Erasure of a person's data from a team's documents: found by the entities the analysis
recorded (and the stored text), then reported, masked or deleted. Legal holds win: a held
document is reported and left alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.errors import NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.repository import DocumentRepository
from folio.erasure.matching import Person, entity_findings, mask, mask_json, mask_words
from folio.erasure.models import ErasureAction, ErasureRequest
from folio.erasure.repository import ErasureRepository
from folio.erasure.schemas import ErasureCreate
from folio.retention import actions
from folio.retention.models import PurgeAction
from folio.retention.service import retention as retention_service


class ErasureService:
    async def create(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, data: ErasureCreate
    ) -> ErasureRequest:
        person = Person(email=str(data.email).lower() if data.email else None, name=data.name)
        source = new_id(IdPrefix.erasure)
        repository = ErasureRepository.from_session(session)
        needles = [value for value in (person.email, person.name) if value]
        candidates = await repository.candidates(principal.team_id, needles)
        held = await retention_service.holds_on(session, candidates)
        reported = []
        for document in candidates:
            findings = await self._findings(session, person, document)
            if not findings:
                continue
            outcome = "found"
            if data.action is not ErasureAction.report:
                if document.id in held:
                    outcome = f"held by {held[document.id].id}"
                else:
                    outcome = await self._erase(session, runtime, person, document, data, source)
            reported.append(
                {
                    "document_id": document.id,
                    "filename": document.filename if outcome != "deleted" else None,
                    "found": findings,
                    "outcome": outcome,
                }
            )
        request = ErasureRequest(
            id=source,
            team_id=principal.team_id,
            requested_by=principal.user_id,
            email=person.email,
            name=person.name,
            action=data.action,
            status="completed",
            report=self._report(reported),
            created_at=utcnow(),
            completed_at=utcnow(),
        )
        return await repository.create(request, flush=True)

    @staticmethod
    def _report(reported: list[dict[str, Any]]) -> dict[str, Any]:
        outcomes: dict[str, int] = {}
        for item in reported:
            key = "held" if item["outcome"].startswith("held") else item["outcome"]
            outcomes[key] = outcomes.get(key, 0) + 1
        by_entity = sum(
            1 for item in reported if any(f["where"] in ("entities", "pii") for f in item["found"])
        )
        return {
            "documents": reported,
            "totals": {"documents": len(reported), "found_by_entity": by_entity, **outcomes},
        }

    async def _findings(
        self, session: AsyncSession, person: Person, document: Document
    ) -> list[dict[str, Any]]:
        findings = entity_findings(person, document.intelligence)
        patterns = person.patterns()
        pages = await DocumentRepository.from_session(session).get_pages(document, document.version)
        for page in pages:
            hits = sum(len(pattern.findall(page.text)) for pattern in patterns)
            if hits:
                findings.append({"where": "text", "page": page.number, "occurrences": hits})
        if any(pattern.search(document.filename) for pattern in patterns):
            findings.append({"where": "filename"})
        return findings

    async def _erase(
        self,
        session: AsyncSession,
        runtime: Runtime,
        person: Person,
        document: Document,
        data: ErasureCreate,
        source: str,
    ) -> str:
        label = f"erasure {source}"
        if data.action is ErasureAction.delete:
            await actions.delete_document(session, runtime, document, label)
            return "deleted"
        await self._mask(session, person, document)
        if document.original_deleted_at is None:
            await actions.delete_original(session, runtime, document, label)
        actions.record(session, document, PurgeAction.results_redacted, label)
        return "redacted"

    async def _mask(self, session: AsyncSession, person: Person, document: Document) -> None:
        """Every version's pages and analysis; the filename too. Masks keep text lengths,
        so word offsets and boxes stay valid."""
        patterns = person.patterns()
        repository = DocumentRepository.from_session(session)
        for page in await repository.all_pages(document):
            text, count = mask(page.text, patterns)
            if count:
                page.text, page.words = text, mask_words(page.words, text)
        for version in await repository.versions(document):
            version.intelligence = mask_json(version.intelligence, patterns)
            version.doc_metadata = mask_json(version.doc_metadata, patterns)
        document.intelligence = mask_json(document.intelligence, patterns)
        document.doc_metadata = mask_json(document.doc_metadata, patterns)
        document.filename = mask(document.filename, patterns)[0]
        document.updated_at = utcnow()  # cached result bodies are keyed by it
        await repository.reindex_text(document)

    async def get(
        self, session: AsyncSession, principal: Principal, erasure_id: str
    ) -> ErasureRequest:
        request = await ErasureRepository.from_session(session).get(principal, erasure_id)
        if request is None:
            raise NotFound(f"No erasure request {erasure_id}.")
        return request

    async def list_requests(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[ErasureRequest]:
        rows = await ErasureRepository.from_session(session).list_page(
            principal, limit=page.limit, before=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda request: request.id)


erasure = ErasureService()
