"""Queries on tags, custom fields and the documents carrying them, scoped by team."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, delete, func, select, union

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.tags.models import CustomField, DocumentFieldValue, DocumentTag, Tag


class TagRepository(TeamScopedRepository[Tag]):
    model = Tag

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[Tag]:
        return await self.page_after(self.readable(principal), limit=limit, after=after)

    async def by_name(self, team_id: str, name: str) -> Tag | None:
        return await self.get_one_or_none(self.owned_by(team_id).where(Tag.name == name))

    async def of_team(self, team_id: str, tag_ids: Collection[str]) -> Sequence[Tag]:
        return await self.get_all(self.owned_by(team_id).where(Tag.id.in_(tag_ids)))

    async def tagged_document_ids(self, tag: Tag) -> Sequence[str]:
        statement = select(DocumentTag.document_id).where(DocumentTag.tag_id == tag.id)
        return (await self.session.scalars(statement)).all()

    async def names_on(self, document_id: str) -> list[str]:
        statement = (
            select(Tag.name)
            .join(DocumentTag, DocumentTag.tag_id == Tag.id)
            .where(DocumentTag.document_id == document_id)
            .order_by(Tag.name)
        )
        return list((await self.session.scalars(statement)).all())

    async def link(self, document_id: str, tag: Tag) -> bool:
        """False when the document already carries the tag."""
        if await self.session.get(DocumentTag, (document_id, tag.id)) is not None:
            return False
        self.session.add(DocumentTag(document_id=document_id, tag_id=tag.id, team_id=tag.team_id))
        await self.session.flush()
        return True

    async def unlink(self, document_id: str, tag: Tag) -> bool:
        result: Any = await self.session.execute(
            delete(DocumentTag).where(
                DocumentTag.document_id == document_id, DocumentTag.tag_id == tag.id
            )
        )
        return bool(result.rowcount)

    def documents_tagged(self, team_ids: Collection[str], name: str) -> Select[Any]:
        """Ids of the documents of ``team_ids`` carrying a tag named ``name``."""
        return (
            select(DocumentTag.document_id)
            .join(Tag, Tag.id == DocumentTag.tag_id)
            .where(Tag.team_id.in_(team_ids), Tag.name == name)
        )


class CustomFieldRepository(TeamScopedRepository[CustomField]):
    model = CustomField

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[CustomField]:
        return await self.page_after(self.readable(principal), limit=limit, after=after)

    async def by_name(self, team_ids: Collection[str], name: str) -> Sequence[CustomField]:
        return await self.get_all(self.scoped_to(team_ids).where(CustomField.name == name))

    async def values_on(self, document_id: str) -> dict[str, Any]:
        statement = (
            select(CustomField.name, DocumentFieldValue.value)
            .join(DocumentFieldValue, DocumentFieldValue.field_id == CustomField.id)
            .where(DocumentFieldValue.document_id == document_id)
            .order_by(CustomField.name)
        )
        return {name: value for name, value in (await self.session.execute(statement)).all()}

    async def valued_document_ids(self, field: CustomField) -> Sequence[str]:
        statement = select(DocumentFieldValue.document_id).where(
            DocumentFieldValue.field_id == field.id
        )
        return (await self.session.scalars(statement)).all()

    async def put_value(self, document_id: str, field: CustomField, value: Any, key: str) -> None:
        row = await self.session.get(DocumentFieldValue, (document_id, field.id))
        if row is None:
            row = DocumentFieldValue(document_id=document_id, field_id=field.id)
            row.team_id = field.team_id
            self.session.add(row)
        row.value, row.value_key = value, key
        await self.session.flush()

    async def clear_value(self, document_id: str, field: CustomField) -> bool:
        result: Any = await self.session.execute(
            delete(DocumentFieldValue).where(
                DocumentFieldValue.document_id == document_id,
                DocumentFieldValue.field_id == field.id,
            )
        )
        return bool(result.rowcount)

    def documents_valued(self, fields: Sequence[CustomField], keys: Sequence[str]) -> Select[Any]:
        """Ids of the documents whose value of one of ``fields`` has its key among ``keys``."""
        return select(DocumentFieldValue.document_id).where(
            DocumentFieldValue.field_id.in_([field.id for field in fields]),
            DocumentFieldValue.value_key.in_(keys),
        )


def documents_labelled(team_ids: Collection[str], words: Sequence[str]) -> Select[Any]:
    """Ids of the documents of ``team_ids`` with a tag named, or a custom-field value equal
    to, one of ``words`` (lower-cased)."""
    tagged = (
        select(DocumentTag.document_id)
        .join(Tag, Tag.id == DocumentTag.tag_id)
        .where(Tag.team_id.in_(team_ids), func.lower(Tag.name).in_(words))
    )
    valued = select(DocumentFieldValue.document_id).where(
        DocumentFieldValue.team_id.in_(team_ids),
        func.lower(DocumentFieldValue.value_key).in_(words),
    )
    return select(union(tagged, valued).subquery().c[0])
