"""Queries on templates and stored extractions, always starting from the principal's teams."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.templates.models import Extraction, ExtractionTemplate, ExtractionTemplateVersion


class TemplateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> TemplateRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[ExtractionTemplate]:
        return select(ExtractionTemplate).where(ExtractionTemplate.team_id.in_(principal.team_ids))

    async def get(self, principal: Principal, template_id: str) -> ExtractionTemplate | None:
        return await self.session.scalar(
            self.readable(principal).where(ExtractionTemplate.id == template_id)
        )

    async def get_by_name(self, principal: Principal, name: str) -> ExtractionTemplate | None:
        """The acting team's template of that name (names are unique per team)."""
        return await self.session.scalar(
            self.readable(principal).where(
                ExtractionTemplate.team_id == principal.team_id, ExtractionTemplate.name == name
            )
        )

    async def for_team(self, team_id: str, reference: str) -> ExtractionTemplate | None:
        """A template by id or name, for the job path acting for the document's own team."""
        statement = select(ExtractionTemplate).where(
            ExtractionTemplate.team_id == team_id,
            (ExtractionTemplate.id == reference) | (ExtractionTemplate.name == reference),
        )
        return await self.session.scalar(statement.limit(1))

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[ExtractionTemplate]:
        statement = self.readable(principal).order_by(ExtractionTemplate.id).limit(limit + 1)
        if after is not None:
            statement = statement.where(ExtractionTemplate.id > after)
        return (await self.session.scalars(statement)).all()

    async def add(self, row: ExtractionTemplate | ExtractionTemplateVersion) -> None:
        self.session.add(row)
        await self.session.flush()

    async def versions(self, template: ExtractionTemplate) -> Sequence[ExtractionTemplateVersion]:
        statement = (
            select(ExtractionTemplateVersion)
            .where(
                ExtractionTemplateVersion.template_id == template.id,
                ExtractionTemplateVersion.team_id == template.team_id,
            )
            .order_by(ExtractionTemplateVersion.version.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def delete(self, template: ExtractionTemplate) -> None:
        await self.session.delete(template)
        await self.session.flush()


class ExtractionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> ExtractionRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[Extraction]:
        return select(Extraction).where(Extraction.team_id.in_(principal.team_ids))

    async def add(self, extraction: Extraction) -> None:
        self.session.add(extraction)
        await self.session.flush()

    async def add_all(self, extractions: Sequence[Extraction]) -> None:
        self.session.add_all(extractions)
        await self.session.flush()

    async def list_for_document(
        self,
        principal: Principal,
        document_id: str,
        *,
        template_name: str | None,
        limit: int,
        before: str | None,
    ) -> Sequence[Extraction]:
        statement = (
            self.readable(principal)
            .where(Extraction.document_id == document_id)
            .order_by(Extraction.id.desc())
            .limit(limit + 1)
        )
        if template_name is not None:
            statement = statement.where(Extraction.template_name == template_name)
        if before is not None:
            statement = statement.where(Extraction.id < before)
        return (await self.session.scalars(statement)).all()

    async def latest(
        self, principal: Principal, document_id: str, template_name: str | None
    ) -> Extraction | None:
        statement = (
            self.readable(principal)
            .where(Extraction.document_id == document_id)
            .order_by(Extraction.id.desc())
            .limit(1)
        )
        if template_name is not None:
            statement = statement.where(Extraction.template_name == template_name)
        return await self.session.scalar(statement)

    async def latest_for_documents(
        self, principal: Principal, document_ids: Sequence[str], template_name: str
    ) -> dict[str, Extraction]:
        """The newest extraction of ``template_name`` for each of ``document_ids``."""
        newest = (
            select(func.max(Extraction.id))
            .where(
                Extraction.team_id.in_(principal.team_ids),
                Extraction.document_id.in_(document_ids),
                Extraction.template_name == template_name,
            )
            .group_by(Extraction.document_id)
        )
        rows = await self.session.scalars(self.readable(principal).where(Extraction.id.in_(newest)))
        return {row.document_id: row for row in rows}
