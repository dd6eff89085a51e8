"""Erasure of a person's data from a team's documents: found by the entities the analysis
recorded (and the stored text), then reported, masked or deleted. Legal holds win: a held
document is reported and left alone. A request is accepted at once and done in the background
by a runner under a lease (:mod:`folio.erasure.runner`), a batch of documents at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.errors import NotFound
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.repository import DocumentRepository
from folio.erasure.matching import Person, entity_findings, mask, mask_json, mask_words
from folio.erasure.models import ErasureAction, ErasureRequest, ErasureStatus
from folio.erasure.repository import ErasureRepository
from folio.erasure.schemas import ErasureCreate
from folio.events.catalog import ERASURE_COMPLETED
from folio.events.service import event as event_service
from folio.retention import actions
from folio.retention.models import PurgeAction
from folio.retention.service import retention as retention_service

BATCH = 25  # documents examined per unit of work: a large team's erasure never holds the
# write lock for long, and a runner that dies loses one batch at most (rolled back)
RUNNER = "erasure_runner"  # runtime.state key of the running runner, woken on a request


def wake_runner(session: AsyncSession, runtime: Runtime) -> None:
    runner = runtime.state.get(RUNNER)
    if runner is None:
        return

    async def wake() -> None:
        runner.wake()

    after_commit(session, wake)


class ErasureService:
    async def create(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, data: ErasureCreate
    ) -> ErasureRequest:
        """Accepts the request; a runner (:mod:`folio.erasure.runner`) does the work."""
        request = ErasureRequest(
            id=new_id(IdPrefix.erasure),
            team_id=principal.team_id,
            requested_by=principal.user_id,
            email=str(data.email).lower() if data.email else None,
            name=data.name,
            action=data.action,
            status=ErasureStatus.pending,
            report=self._report([]),
            attempts=0,
            documents_examined=0,
            created_at=utcnow(),
        )
        await ErasureRepository.from_session(session).create(request, flush=True)
        wake_runner(session, runtime)
        return request

    async def run_batch(
        self, session: AsyncSession, runtime: Runtime, request: ErasureRequest
    ) -> bool:
        """Examines (and reports, masks or deletes in) the next documents of a request its
        caller holds, records how far it got; True once every document was examined."""
        person = Person(email=request.email, name=request.name)
        needles = [value for value in (person.email, person.name) if value]
        repository = ErasureRepository.from_session(session)
        documents = await repository.candidates(
            request.team_id, needles, after=request.examined_through, limit=BATCH
        )
        held = await retention_service.holds_on(session, documents)
        reported = list(request.report.get("documents", []))
        for document in documents:
            findings = await self._findings(session, person, document)
            if not findings:
                continue
            outcome = "found"
            if request.action is not ErasureAction.report:
                if document.id in held:
                    outcome = f"held by {held[document.id].id}"
                else:
                    outcome = await self._erase(session, runtime, person, document, request)
            reported.append(
                {
                    "document_id": document.id,
                    "filename": document.filename if outcome != "deleted" else None,
                    "found": findings,
                    "outcome": outcome,
                }
            )
        request.report = self._report(reported)
        request.documents_examined += len(documents)
        if documents:
            request.examined_through = documents[-1].id
        if len(documents) == BATCH:
            return False
        await self._complete(session, runtime, request)
        return True

    async def _complete(
        self, session: AsyncSession, runtime: Runtime, request: ErasureRequest
    ) -> None:
        request.status, request.completed_at = ErasureStatus.completed, utcnow()
        request.lease_owner = request.lease_expires_at = None
        request.error_message = None
        data: dict[str, Any] = {
            "erasure_id": request.id,
            "action": str(request.action),
            "totals": request.report["totals"],
        }
        if request.requested_by:
            data["recipient_user_id"] = request.requested_by
        await event_service.emit(
            session, runtime, Event(type=ERASURE_COMPLETED, team_id=request.team_id, data=data)
        )

    def fail(self, request: ErasureRequest, error: str, max_attempts: int) -> None:
        """A failed batch was rolled back: the request waits again, or fails for good."""
        request.lease_owner = request.lease_expires_at = None
        request.error_message = error[:500]
        if request.attempts < max_attempts:
            request.status = ErasureStatus.pending
        else:
            request.status, request.completed_at = ErasureStatus.failed, utcnow()

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
        request: ErasureRequest,
    ) -> str:
        label = f"erasure {request.id}"
        if request.action is ErasureAction.delete:
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
