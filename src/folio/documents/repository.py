"""Queries on documents and their pages, always starting from the principal's teams."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    delete,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
)

from folio.core.prepared import PreparedSelect, ResultRow
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository, team_scoped
from folio.documents.models import (
    Document,
    DocumentPage,
    DocumentStatus,
    DocumentVersion,
    ProcessingSettings,
)

SEARCH_TERM = re.compile(r"\w+\*?", re.UNICODE)
HASH_CHUNK = 500  # content hashes per duplicate lookup (well under any bound-parameter limit)
# results-only JSON columns a status read never shows: decoding them was most of its CPU time
RESULTS_COLUMNS = (
    Document.doc_metadata,
    Document.ocr,
    Document.warnings,
    Document.engine_versions,
    Document.intelligence,
)

# Status reads as plain rows (what ``DocumentRead`` shows): building ORM objects, and the
# statement for each request, cost more than the query itself (bench/load_api.py).
_DOCUMENTS = Document.__table__
_RESULTS_ONLY = {column.expression.name for column in RESULTS_COLUMNS}
SUMMARY_COLUMNS = tuple(column for column in _DOCUMENTS.c if column.name not in _RESULTS_ONLY)
_READABLE_SUMMARIES = select(*SUMMARY_COLUMNS).where(
    _DOCUMENTS.c.team_id.in_(bindparam("team_ids", expanding=True))
)
_SUMMARY_BY_ID = PreparedSelect(
    _READABLE_SUMMARIES.where(_DOCUMENTS.c.id == bindparam("document_id"))
)
_SUMMARIES_BY_IDS = PreparedSelect(
    _READABLE_SUMMARIES.where(_DOCUMENTS.c.id.in_(bindparam("document_ids", expanding=True)))
)
# A list page is read as keys first: (id, updated_at) names a kept DocumentRead, and only the
# documents changed since they were kept are read whole (their JSON columns cost most).
_LIST_KEYS_STATEMENT = (
    select(_DOCUMENTS.c.id, _DOCUMENTS.c.updated_at)
    .where(_DOCUMENTS.c.team_id.in_(bindparam("team_ids", expanding=True)))
    .order_by(_DOCUMENTS.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
_LIST_KEYS = PreparedSelect(_LIST_KEYS_STATEMENT)
_LIST_KEYS_BEFORE = PreparedSelect(
    _LIST_KEYS_STATEMENT.where(_DOCUMENTS.c.id < bindparam("before"))
)
_OLDEST_KEYS_STATEMENT = _LIST_KEYS_STATEMENT.order_by(None).order_by(_DOCUMENTS.c.id.asc())


@dataclass(frozen=True)
class DocumentFilters:
    status: DocumentStatus | None = None
    batch_id: str | None = None
    type: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    query: str | None = None
    tags: tuple[str, ...] = ()  # tag names: every one must be on the document
    fields: tuple[tuple[str, str], ...] = ()  # (custom field name, value)
    pii: bool | None = None
    oldest_first: bool = False

    @property
    def by_labels(self) -> bool:
        return bool(self.tags or self.fields)


NO_FILTERS = DocumentFilters()


def fts5_query(raw: str) -> str | None:
    """User words to an FTS5 expression: every word must match; ``word*`` is a prefix."""
    terms = []
    for term in SEARCH_TERM.findall(raw):
        stem = term.rstrip("*").replace('"', "")
        if stem:
            terms.append(f'"{stem}"*' if term.endswith("*") else f'"{stem}"')
    return " ".join(terms) or None


def postgres_tsquery(raw: str) -> str | None:
    """The same words for PostgreSQL's ``to_tsquery``: all must match; ``word*`` is a prefix."""
    terms = [
        f"{term.rstrip('*')}:*" if term.endswith("*") else term
        for term in SEARCH_TERM.findall(raw)
        if term.rstrip("*")
    ]
    return " & ".join(terms) or None


class DocumentRepository(TeamScopedRepository[Document]):
    model = Document

    @property
    def _is_sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    async def summary_row(self, principal: Principal, document_id: str) -> ResultRow | None:
        """The document's ``SUMMARY_COLUMNS``, for reads that change nothing."""
        return await _SUMMARY_BY_ID.first(
            self.session, document_id=document_id, team_ids=list(principal.team_ids)
        )

    async def get_many(
        self, principal: Principal, document_ids: Sequence[str]
    ) -> Sequence[Document]:
        statement = self.readable(principal).where(Document.id.in_(document_ids))
        return await self.get_all(statement.order_by(Document.id))

    async def documents_by_id(self, document_ids: Sequence[str]) -> Sequence[Document]:
        """Unscoped, for a change made for the documents' own team (their tags' read copy)."""
        if not document_ids:
            return []
        return await self.get_all(select(Document).where(Document.id.in_(document_ids)))

    async def get_for_update(self, document_id: str) -> Document | None:
        """Unscoped load for the job runner, which acts for the document's own team."""
        return await self.session.get(Document, document_id, populate_existing=True)

    async def list_page_keys(
        self,
        principal: Principal,
        filters: DocumentFilters,
        *,
        limit: int,
        before: str | None,
        among: Sequence[Select[Any]] = (),
        also: Select[Any] | None = None,
    ) -> Sequence[ResultRow]:
        """``(id, updated_at)`` of the page's documents, newest first (or oldest first: the
        cursor is then the last id seen, and the page continues after it); ``among``:
        subqueries of document ids each document must be in (the tag and custom-field filters);
        ``also``: document ids the search ``q`` finds besides those whose text matches (by tag)."""
        parameters: dict[str, Any] = {"team_ids": list(principal.team_ids), "limit": limit + 1}
        if filters.oldest_first:
            oldest: Select[Any] = _OLDEST_KEYS_STATEMENT
            if before is not None:
                oldest, parameters["before"] = (
                    oldest.where(_DOCUMENTS.c.id > bindparam("before")),
                    before,
                )
            oldest = self._apply_filters(oldest, filters, also)
            for ids in among:
                oldest = oldest.where(Document.id.in_(ids))
            return (await self.session.execute(oldest, parameters)).all()
        prepared = _LIST_KEYS
        if before is not None:
            prepared, parameters["before"] = _LIST_KEYS_BEFORE, before
        if filters == NO_FILTERS:
            return await prepared.all(self.session, **parameters)
        statement = self._apply_filters(prepared.statement, filters, also)
        for ids in among:
            statement = statement.where(Document.id.in_(ids))
        return (await self.session.execute(statement, parameters)).all()

    async def summary_rows(
        self, principal: Principal, document_ids: Sequence[str]
    ) -> Sequence[ResultRow]:
        """``SUMMARY_COLUMNS`` of those of ``document_ids`` the principal may read."""
        return await _SUMMARIES_BY_IDS.all(
            self.session, document_ids=list(document_ids), team_ids=list(principal.team_ids)
        )

    def _apply_filters(
        self, statement: Select[Any], filters: DocumentFilters, also: Select[Any] | None = None
    ) -> Select[Any]:
        if filters.status is not None:
            statement = statement.where(Document.status == filters.status)
        if filters.batch_id is not None:
            statement = statement.where(Document.batch_id == filters.batch_id)
        if filters.type is not None:
            statement = statement.where(
                (Document.kind == filters.type) | (Document.document_type == filters.type)
            )
        if filters.created_after is not None:
            statement = statement.where(Document.created_at >= filters.created_after)
        if filters.created_before is not None:
            statement = statement.where(Document.created_at < filters.created_before)
        if filters.query:
            found: ColumnElement[bool] = Document.id.in_(self._matching_ids(filters.query))
            if also is not None:
                found = found | Document.id.in_(also)
            statement = statement.where(found)
        if filters.pii is not None:
            statement = statement.where(Document.pii_detected.is_(filters.pii))
        return statement

    def _matching_ids(self, raw_query: str) -> Select[str]:
        if self._is_sqlite:
            expression = fts5_query(raw_query) or '""'
            return (
                select(literal_column("document_id"))
                .select_from(text("document_fts"))
                .where(text("document_fts MATCH :fts_query").bindparams(fts_query=expression))
            )
        tsquery = postgres_tsquery(raw_query)
        if tsquery is None:
            return select(DocumentPage.document_id).where(false())
        return select(DocumentPage.document_id).where(
            func.to_tsvector("simple", DocumentPage.text).op("@@")(
                func.to_tsquery("simple", tsquery)
            )
        )

    async def originals(self, team_id: str, sha256s: Sequence[str]) -> dict[str, str]:
        """The oldest document of ``team_id`` with each content hash: {sha256: id}."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sha256s))
        for start in range(0, len(unique), HASH_CHUNK):
            statement = (
                self.owned_by(team_id)
                .with_only_columns(Document.sha256, func.min(Document.id))
                .where(Document.sha256.in_(unique[start : start + HASH_CHUNK]))
                .group_by(Document.sha256)
            )
            found.update({sha: id_ for sha, id_ in (await self.session.execute(statement)).all()})
        return found

    async def add(self, document: Document) -> Document:
        self.session.add(document)
        await self.session.flush()
        return document

    async def add_all(self, documents: Sequence[Document]) -> None:
        self.session.add_all(documents)
        await self.session.flush()

    async def get_pages(self, document: Document, version: int) -> Sequence[DocumentPage]:
        statement = (
            select(DocumentPage)
            .where(DocumentPage.document_id == document.id, DocumentPage.version == version)
            .order_by(DocumentPage.number)
        )
        return (await self.session.scalars(statement)).all()

    async def replace_pages(
        self, document: Document, version: int, pages: Sequence[DocumentPage]
    ) -> None:
        """Idempotent: a retried job overwrites the pages of the same version."""
        await self.session.execute(
            delete(DocumentPage).where(
                DocumentPage.document_id == document.id, DocumentPage.version == version
            )
        )
        self.session.add_all(pages)
        await self.session.flush()
        await self._index_text(document, pages)

    async def _index_text(self, document: Document, pages: Sequence[DocumentPage]) -> None:
        if not self._is_sqlite:
            return
        await self._unindex_text(document.id)
        body = "\n".join(page.text for page in pages)
        await self.session.execute(
            text("INSERT INTO document_fts (document_id, team_id, body) VALUES (:d, :t, :b)"),
            {"d": document.id, "t": document.team_id, "b": body},
        )

    async def _unindex_text(self, document_id: str) -> None:
        await self.session.execute(
            text("DELETE FROM document_fts WHERE document_id = :d"), {"d": document_id}
        )

    async def delete_results(self, document: Document) -> None:
        """Every version's pages and version rows, and the search index of its text."""
        if self._is_sqlite:
            await self._unindex_text(document.id)
        await self.session.execute(
            delete(DocumentPage).where(DocumentPage.document_id == document.id)
        )
        await self.session.execute(
            delete(DocumentVersion).where(DocumentVersion.document_id == document.id)
        )

    async def totals_per_team(self) -> dict[str, tuple[int, int]]:
        """Every team's (documents, bytes of originals still stored): for system admins."""
        stored = func.sum(
            case((Document.original_deleted_at.is_(None), Document.size_bytes), else_=0)
        )
        statement = select(Document.team_id, func.count(), stored).group_by(Document.team_id)
        rows = (await self.session.execute(statement)).all()
        return {team: (int(n), int(size or 0)) for team, n, size in rows}

    async def unindex_team(self, team_id: str) -> None:
        """The search index of every document of a team about to be deleted (the index is
        not a table with a foreign key, so no cascade reaches it)."""
        if self._is_sqlite:
            await self.session.execute(
                text("DELETE FROM document_fts WHERE team_id = :t"), {"t": team_id}
            )

    async def ids_in(
        self, document_ids: Sequence[str], batch_ids: Sequence[str]
    ) -> Sequence[Document]:
        """Documents by id or by batch, any team: an account's own uploads for its export."""
        statement = select(Document).where(
            or_(Document.id.in_(document_ids), Document.batch_id.in_(batch_ids))
        )
        return (await self.session.scalars(statement.order_by(Document.id))).all()

    async def all_pages(self, document: Document) -> Sequence[DocumentPage]:
        statement = select(DocumentPage).where(DocumentPage.document_id == document.id)
        return (await self.session.scalars(statement)).all()

    async def reindex_text(self, document: Document) -> None:
        """The search index of the current version's text, after its pages were changed."""
        await self.session.flush()
        await self._index_text(document, await self.get_pages(document, document.version))

    async def delete(self, document: Document) -> None:
        if self._is_sqlite:
            await self._unindex_text(document.id)
        await self.session.execute(
            delete(DocumentPage).where(DocumentPage.document_id == document.id)
        )
        await self.session.execute(
            delete(DocumentVersion).where(DocumentVersion.document_id == document.id)
        )
        await self.session.delete(document)
        await self.session.flush()

    async def add_version(self, row: DocumentVersion) -> None:
        """Idempotent like ``replace_pages``: a retried job overwrites its version's row."""
        await self.session.execute(
            delete(DocumentVersion).where(
                DocumentVersion.document_id == row.document_id,
                DocumentVersion.version == row.version,
            )
        )
        self.session.add(row)
        await self.session.flush()

    async def get_version(self, document: Document, version: int) -> DocumentVersion | None:
        return await self.session.scalar(
            select(DocumentVersion).where(
                DocumentVersion.document_id == document.id,
                DocumentVersion.team_id == document.team_id,
                DocumentVersion.version == version,
            )
        )

    async def versions(self, document: Document) -> Sequence[DocumentVersion]:
        statement = (
            select(DocumentVersion)
            .where(
                DocumentVersion.document_id == document.id,
                DocumentVersion.team_id == document.team_id,
            )
            .order_by(DocumentVersion.version.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def processing_settings(self, principal: Principal) -> ProcessingSettings | None:
        """The acting team's processing defaults (the row's key is the team id)."""
        statement = team_scoped(ProcessingSettings, principal.team_ids).where(
            ProcessingSettings.team_id == principal.team_id
        )
        return await self.session.scalar(statement)

    async def add_processing_settings(self, row: ProcessingSettings) -> None:
        self.session.add(row)
        await self.session.flush()
