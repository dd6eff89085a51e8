"""Tags and custom-field definitions of a team, and setting them on documents."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.repository import DocumentRepository
from folio.documents.schemas import BulkItem, BulkResult
from folio.documents.service import document as document_service
from folio.events.service import event as event_service
from folio.tags.models import CustomField, FieldType, Tag
from folio.tags.repository import CustomFieldRepository, TagRepository, documents_labelled
from folio.tags.schemas import (
    BulkTagRequest,
    CustomFieldCreate,
    CustomFieldUpdate,
    DocumentLabels,
    TagCreate,
    TagUpdate,
)
from folio.tags.values import BadValue, coerce
from folio.teams.repository import TeamRepository


def labels_of(document: Document) -> DocumentLabels:
    return DocumentLabels(
        document_id=document.id,
        tags=document.tags or [],
        custom_fields=document.custom_fields or {},
    )


async def refresh_copies(session: AsyncSession, document: Document) -> None:
    """The document's read copies from the link tables (its summary JSON follows)."""
    document.tags = await TagRepository.from_session(session).names_on(document.id)
    document.custom_fields = await CustomFieldRepository.from_session(session).values_on(
        document.id
    )


async def _refresh_many(session: AsyncSession, document_ids: Sequence[str]) -> None:
    for document in await DocumentRepository.from_session(session).documents_by_id(document_ids):
        await refresh_copies(session, document)


class TagService:
    async def create(self, session: AsyncSession, principal: Principal, data: TagCreate) -> Tag:
        tag = Tag(id=new_id(IdPrefix.tag), team_id=principal.team_id, **data.model_dump())
        await self._save(session, tag)
        return tag

    async def _save(self, session: AsyncSession, tag: Tag) -> None:
        try:
            async with session.begin_nested():
                session.add(tag)
                await session.flush()
        except IntegrityError as exc:
            raise Conflict(f"A tag named {tag.name!r} exists in this team.") from exc

    async def get(self, session: AsyncSession, principal: Principal, tag_id: str) -> Tag:
        tag = await TagRepository.from_session(session).get(principal, tag_id)
        if tag is None:
            raise NotFound(f"No tag {tag_id}.")
        return tag

    async def list_tags(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[Tag]:
        rows = await TagRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda tag: tag.id)

    async def update(
        self, session: AsyncSession, principal: Principal, tag_id: str, data: TagUpdate
    ) -> Tag:
        tag = await self.get(session, principal, tag_id)
        changes = data.model_dump(exclude_unset=True)
        renamed = changes.get("name") not in (None, tag.name)
        for name in ("name", "color"):
            if changes.get(name) is not None:
                setattr(tag, name, changes[name])
        if "description" in changes:
            tag.description = changes["description"]
        await self._save(session, tag)
        if renamed:
            tagged = await TagRepository.from_session(session).tagged_document_ids(tag)
            await _refresh_many(session, tagged)
        return tag

    async def delete(self, session: AsyncSession, principal: Principal, tag_id: str) -> None:
        tag = await self.get(session, principal, tag_id)
        tagged = await TagRepository.from_session(session).tagged_document_ids(tag)
        await session.delete(tag)
        await session.flush()
        await _refresh_many(session, tagged)


class CustomFieldService:
    async def create(
        self, session: AsyncSession, principal: Principal, data: CustomFieldCreate
    ) -> CustomField:
        field = CustomField(
            id=new_id(IdPrefix.custom_field), team_id=principal.team_id, **data.model_dump()
        )
        try:
            async with session.begin_nested():
                session.add(field)
                await session.flush()
        except IntegrityError as exc:
            raise Conflict(f"A custom field named {data.name!r} exists in this team.") from exc
        return field

    async def get(self, session: AsyncSession, principal: Principal, field_id: str) -> CustomField:
        field = await CustomFieldRepository.from_session(session).get(principal, field_id)
        if field is None:
            raise NotFound(f"No custom field {field_id}.")
        return field

    async def list_fields(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[CustomField]:
        rows = await CustomFieldRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda field: field.id)

    async def update(
        self, session: AsyncSession, principal: Principal, field_id: str, data: CustomFieldUpdate
    ) -> CustomField:
        field = await self.get(session, principal, field_id)
        changes = data.model_dump(exclude_unset=True)
        if "label" in changes:
            field.label = changes["label"]
        if changes.get("options") is not None:
            if field.type != FieldType.select:
                raise ValidationFailed([FieldError("options", "invalid", "only select fields")])
            if not changes["options"] or len(set(changes["options"])) != len(changes["options"]):
                raise ValidationFailed([FieldError("options", "invalid", "distinct, not empty")])
            field.options = changes["options"]
        return field

    async def delete(self, session: AsyncSession, principal: Principal, field_id: str) -> None:
        field = await self.get(session, principal, field_id)
        valued = await CustomFieldRepository.from_session(session).valued_document_ids(field)
        await session.delete(field)
        await session.flush()
        await _refresh_many(session, valued)


class LabelService:
    """Tags and field values on documents, for a caller or for an automation rule."""

    async def _document(
        self, session: AsyncSession, principal: Principal, document_id: str
    ) -> Document:
        return await document_service.get(session, principal, document_id)

    async def _tag_for(
        self, session: AsyncSession, principal: Principal, document: Document, tag_id: str
    ) -> Tag:
        tag = await TagRepository.from_session(session).get(principal, tag_id)
        if tag is None or tag.team_id != document.team_id:  # a tag of the document's own team
            raise NotFound(f"No tag {tag_id} in the document's team.")
        return tag

    async def add_tag(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        tag_id: str,
    ) -> DocumentLabels:
        document = await self._document(session, principal, document_id)
        tag = await self._tag_for(session, principal, document, tag_id)
        await self.tag(session, runtime, document, tag)
        return labels_of(document)

    async def remove_tag(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        tag_id: str,
    ) -> DocumentLabels:
        document = await self._document(session, principal, document_id)
        tag = await self._tag_for(session, principal, document, tag_id)
        await self.untag(session, runtime, document, tag)
        return labels_of(document)

    async def tag(
        self, session: AsyncSession, runtime: Runtime, document: Document, tag: Tag
    ) -> bool:
        """For the document's own team (a rule's action too); False when already tagged.
        Announces ``document.tagged``, which automation rules may listen to."""
        changed = await TagRepository.from_session(session).link(document.id, tag)
        if changed:
            await refresh_copies(session, document)
            await self._announce(session, runtime, "document.tagged", document, tag)
        return changed

    async def untag(
        self, session: AsyncSession, runtime: Runtime, document: Document, tag: Tag
    ) -> bool:
        changed = await TagRepository.from_session(session).unlink(document.id, tag)
        if changed:
            await refresh_copies(session, document)
            await self._announce(session, runtime, "document.untagged", document, tag)
        return changed

    async def _announce(
        self, session: AsyncSession, runtime: Runtime, type_: str, document: Document, tag: Tag
    ) -> None:
        event = Event(
            type=type_,
            team_id=document.team_id,
            data={"document_id": document.id, "tag": tag.name, "tag_id": tag.id},
        )
        await event_service.emit(session, runtime, event)

    async def missing_tags(
        self, session: AsyncSession, team_id: str, names: Sequence[str]
    ) -> list[str]:
        repository = TagRepository.from_session(session)
        return [name for name in names if await repository.by_name(team_id, name) is None]

    async def tag_by_names(
        self,
        session: AsyncSession,
        runtime: Runtime,
        document: Document,
        names: Sequence[str],
        *,
        add: bool,
    ) -> list[str]:
        """The names changed; a tag deleted since the rule was saved is passed over."""
        repository = TagRepository.from_session(session)
        change = self.tag if add else self.untag
        changed = []
        for name in names:
            tag = await repository.by_name(document.team_id, name)
            if tag is not None and await change(session, runtime, document, tag):
                changed.append(name)
        return changed

    async def _field_named(
        self, session: AsyncSession, team_id: str, name: str, path: str
    ) -> CustomField:
        fields = await CustomFieldRepository.from_session(session).by_name((team_id,), name)
        if not fields:
            raise ValidationFailed(
                [FieldError(f"{path}.name", "unknown_field", f"No custom field {name!r}.")]
            )
        return fields[0]

    async def check_value(
        self, session: AsyncSession, team_id: str, name: str, value: Any, path: str
    ) -> None:
        """422 unless ``team_id`` has a field ``name`` that takes ``value``."""
        field = await self._field_named(session, team_id, name, path)
        try:
            coerce(field, value)
        except BadValue as exc:
            raise ValidationFailed(
                [FieldError(f"{path}.value", "invalid_value", str(exc))]
            ) from exc

    async def put_by_name(
        self, session: AsyncSession, document: Document, name: str, value: Any, *, path: str
    ) -> None:
        field = await self._field_named(session, document.team_id, name, path)
        await self.put(session, document, field, value, path=path)

    async def set_value(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: str,
        field_id: str,
        value: Any,
    ) -> DocumentLabels:
        document = await self._document(session, principal, document_id)
        field = await CustomFieldRepository.from_session(session).get(principal, field_id)
        if field is None or field.team_id != document.team_id:
            raise NotFound(f"No custom field {field_id} in the document's team.")
        await self.put(session, document, field, value, path="value")
        return labels_of(document)

    async def put(
        self,
        session: AsyncSession,
        document: Document,
        field: CustomField,
        value: Any,
        *,
        path: str,
    ) -> None:
        """``value`` checked against ``field``'s type (422 naming ``path``), then stored."""
        try:
            stored, key = coerce(field, value)
        except BadValue as exc:
            raise ValidationFailed([FieldError(path, "invalid_value", str(exc))]) from exc
        if field.type == FieldType.user:
            member = await TeamRepository.from_session(session).membership(field.team_id, stored)
            if member is None:
                raise ValidationFailed(
                    [FieldError(path, "invalid_value", "must be a member of the team")]
                )
        await CustomFieldRepository.from_session(session).put_value(document.id, field, stored, key)
        await refresh_copies(session, document)

    async def clear_value(
        self, session: AsyncSession, principal: Principal, document_id: str, field_id: str
    ) -> DocumentLabels:
        document = await self._document(session, principal, document_id)
        field = await CustomFieldRepository.from_session(session).get(principal, field_id)
        if field is None or field.team_id != document.team_id:
            raise NotFound(f"No custom field {field_id} in the document's team.")
        if await CustomFieldRepository.from_session(session).clear_value(document.id, field):
            await refresh_copies(session, document)
        return labels_of(document)

    async def bulk(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        request: BulkTagRequest,
    ) -> BulkResult:
        tags = await TagRepository.from_session(session).of_team(
            principal.team_id, set(request.tag_ids)
        )
        missing = set(request.tag_ids) - {tag.id for tag in tags}
        if missing:  # refused before any document changed
            raise ValidationFailed(
                [FieldError("tag_ids", "not_found", f"No tag {tag_id}.") for tag_id in missing]
            )
        unique = list(dict.fromkeys(request.document_ids))
        found = await DocumentRepository.from_session(session).get_many(principal, unique)
        documents = {d.id: d for d in found if d.team_id == principal.team_id}
        items = [
            await self._bulk_item(session, runtime, documents.get(i), i, tags, request)
            for i in unique
        ]
        return BulkResult(
            action=f"tag.{request.action}",
            requested=len(items),
            accepted=sum(i.outcome == "accepted" for i in items),
            skipped=sum(i.outcome == "skipped" for i in items),
            not_found=sum(i.outcome == "not_found" for i in items),
            items=items,
        )

    async def _bulk_item(
        self,
        session: AsyncSession,
        runtime: Runtime,
        document: Document | None,
        document_id: str,
        tags: Sequence[Tag],
        request: BulkTagRequest,
    ) -> BulkItem:
        if document is None:
            return BulkItem(document_id=document_id, outcome="not_found")
        change = self.tag if request.action == "add" else self.untag
        changed = [await change(session, runtime, document, tag) for tag in tags]
        if any(changed):
            return BulkItem(document_id=document_id, outcome="accepted", status=document.status)
        detail = "Already tagged." if request.action == "add" else "Not tagged."
        return BulkItem(
            document_id=document_id, outcome="skipped", status=document.status, detail=detail
        )

    def search_ids(self, team_ids: frozenset[str], raw_query: str) -> Select[Any]:
        """For the document search ``q``: documents tagged or valued with one of its words."""
        words = [word.casefold() for word in SEARCH_WORD.findall(raw_query)][:20]
        return documents_labelled(team_ids, words)

    async def filter_ids(
        self,
        session: AsyncSession,
        principal: Principal,
        tags: Sequence[str],
        fields: Sequence[tuple[str, str]],
    ) -> list[Select[Any]]:
        """For the document list: one subquery of document ids per ``tag=`` and
        ``field.<name>=``; an unknown field name is a 422."""
        team_ids = principal.team_ids
        subqueries: list[Select[Any]] = [
            TagRepository.from_session(session).documents_tagged(team_ids, name) for name in tags
        ]
        repository = CustomFieldRepository.from_session(session)
        for name, raw in fields:
            definitions = await repository.by_name(team_ids, name)
            if not definitions:
                raise ValidationFailed(
                    [FieldError(f"field.{name}", "unknown_field", f"No custom field {name!r}.")]
                )
            keys = [key for field in definitions if (key := _filter_key(field, raw)) is not None]
            subqueries.append(
                repository.documents_valued(definitions, keys) if keys else _nothing()
            )
        return subqueries


SEARCH_WORD = re.compile(r"[\w.-]+", re.UNICODE)


def _filter_key(field: CustomField, raw: str) -> str | None:
    """The key a filter value would have stored under ``field``; None when it cannot."""
    try:
        return coerce(field, raw)[1]
    except BadValue:
        return None


def _nothing() -> Select[Any]:
    return select(Document.id).where(false())


tag = TagService()
custom_field = CustomFieldService()
label = LabelService()
