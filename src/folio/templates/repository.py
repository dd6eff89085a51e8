"""Queries on templates and stored extractions, always starting from the principal's teams."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.templates.models import Extraction, ExtractionTemplate, ExtractionTemplateVersion


class TemplateRepository(TeamScopedRepository[ExtractionTemplate]):
    model = ExtractionTemplate

    async def get_by_name(self, principal: Principal, name: str) -> ExtractionTemplate | None:
        """The acting team's template of that name (names are unique per team)."""
        return await self.session.scalar(
            self.readable(principal).where(
                ExtractionTemplate.team_id == principal.team_id, ExtractionTemplate.name == name
            )
        )

    async def for_team(self, team_id: str, reference: str) -> ExtractionTemplate | None:
        """A template by id or name, for the job path acting for the document's own team."""
        statement = self.owned_by(team_id).where(
            (ExtractionTemplate.id == reference) | (ExtractionTemplate.name == reference)
        )
        return await self.get_one_or_none(statement.limit(1))

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[ExtractionTemplate]:
        return await self.page_after(self.readable(principal), limit=limit, after=after)

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


class ExtractionRepository(TeamScopedRepository[Extraction]):
    model = Extraction

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
        statement = self.readable(principal).where(Extraction.document_id == document_id)
        if template_name is not None:
            statement = statement.where(Extraction.template_name == template_name)
        return await self.page_before(statement, limit=limit, before=before)

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
            self.readable(principal)
            .with_only_columns(func.max(Extraction.id))
            .where(
                Extraction.document_id.in_(document_ids),
                Extraction.template_name == template_name,
            )
            .group_by(Extraction.document_id)
        )
        rows = await self.session.scalars(self.readable(principal).where(Extraction.id.in_(newest)))
        return {row.document_id: row for row in rows}
