from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.classifiers.models import ClassifierModel, DocumentLabel
from folio.core.principal import Principal
from folio.documents.models import Document, DocumentPage


class ClassifierRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> ClassifierRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[ClassifierModel]:
        return select(ClassifierModel).where(ClassifierModel.team_id.in_(principal.team_ids))

    def readable_labels(self, principal: Principal) -> Select[DocumentLabel]:
        return select(DocumentLabel).where(DocumentLabel.team_id.in_(principal.team_ids))

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
        statement = self.readable(principal).order_by(ClassifierModel.id.desc()).limit(limit + 1)
        if before is not None:
            statement = statement.where(ClassifierModel.id < before)
        return (await self.session.scalars(statement)).all()

    async def get(self, principal: Principal, model_id: str) -> ClassifierModel | None:
        return await self.session.scalar(
            self.readable(principal).where(ClassifierModel.id == model_id)
        )

    async def active_for_team(self, team_id: str) -> ClassifierModel | None:
        """For the job runner, which acts for the document's own team."""
        return await self.session.scalar(
            select(ClassifierModel).where(
                ClassifierModel.team_id == team_id, ClassifierModel.is_active.is_(True)
            )
        )

    async def next_version(self, team_id: str) -> int:
        latest = await self.session.scalar(
            select(func.max(ClassifierModel.version)).where(ClassifierModel.team_id == team_id)
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
