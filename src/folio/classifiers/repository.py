from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select, update

from folio.classifiers.models import ClassifierModel, DocumentLabel
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository, team_scoped
from folio.documents.models import Document, DocumentPage


class ClassifierRepository(TeamScopedRepository[ClassifierModel]):
    model = ClassifierModel

    def readable_labels(self, principal: Principal) -> Select[DocumentLabel]:
        return team_scoped(DocumentLabel, principal.team_ids)

    async def label_of(self, document_id: str) -> DocumentLabel | None:
        """For the document's own team (the caller has loaded the document scoped)."""
        return await self.session.scalar(
            select(DocumentLabel).where(DocumentLabel.document_id == document_id)
        )

    async def labelled_texts(
        self, principal: Principal, *, limit: int, max_chars: int
    ) -> list[tuple[str, str]]:
        """``(label, text)`` of the acting team's latest labelled documents, and only that
        team's; each text cut at ``max_chars``."""
        labels = (
            self.readable_labels(principal)
            .where(DocumentLabel.team_id == principal.team_id)
            .order_by(DocumentLabel.id.desc())
            .limit(limit)
            .subquery()
        )
        statement = (
            select(labels.c.document_id, labels.c.label, DocumentPage.text)
            .join(Document, Document.id == labels.c.document_id)
            .join(
                DocumentPage,
                (DocumentPage.document_id == Document.id)
                & (DocumentPage.version == Document.version),
            )
            .where(Document.team_id == principal.team_id, DocumentPage.team_id == principal.team_id)
            .order_by(labels.c.document_id, DocumentPage.number)
        )
        texts: dict[str, tuple[str, list[str]]] = {}
        for document_id, label, text in await self.session.execute(statement):
            texts.setdefault(document_id, (label, []))[1].append(text[:max_chars])
        return [(label, "\n".join(pages)[:max_chars]) for label, pages in texts.values()]

    async def list_page(
        self, principal: Principal, *, limit: int, before: str | None
    ) -> Sequence[ClassifierModel]:
        return await self.page_before(self.readable(principal), limit=limit, before=before)

    async def active_for_team(self, team_id: str) -> ClassifierModel | None:
        """For the job runner, which acts for the document's own team."""
        return await self.get_one_or_none(
            self.owned_by(team_id).where(ClassifierModel.is_active.is_(True))
        )

    async def next_version(self, team_id: str) -> int:
        """For the training job, which acts for its own team."""
        latest = await self.session.scalar(
            self.owned_by(team_id).with_only_columns(func.max(ClassifierModel.version))
        )
        return (latest or 0) + 1

    async def deactivate_all(self, team_id: str) -> None:
        await self.session.execute(
            update(ClassifierModel)
            .where(ClassifierModel.team_id == team_id, ClassifierModel.is_active.is_(True))
            .values(is_active=False)
        )

    async def add(self, row: ClassifierModel | DocumentLabel) -> None:
        self.session.add(row)
        await self.session.flush()
