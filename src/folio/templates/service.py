"""Extraction templates: team templates (versioned), the built-ins, and applying them to
processed documents. Every applied template is stored as an ``Extraction``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import anyio
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from folio.batches.repository import BatchRepository
from folio.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.pipeline.extraction import (
    BUILTINS,
    ExtractionResult,
    FieldSpec,
    Template,
    apply_template,
    get_template,
    patterns,
)
from folio.templates.definitions import extraction_row, template_from_row
from folio.templates.models import Extraction, ExtractionTemplate, ExtractionTemplateVersion
from folio.templates.repository import ExtractionRepository, TemplateRepository
from folio.templates.schemas import (
    ApplyItem,
    ApplyRequest,
    ApplyResult,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    TemplateVersionRead,
)

DEFINITION_KEYS = ("fields", "rules", "date_order")


class BuiltinReadOnly(Conflict):
    code = "TEMPLATE_READ_ONLY"
    title = "Built-in templates cannot be changed"


class TemplateNameTaken(Conflict):
    code = "TEMPLATE_NAME_TAKEN"
    title = "A template with this name exists"


@dataclass(frozen=True)
class ResolvedTemplate:
    """A template ready to apply: the pipeline's definition and where it came from."""

    template: Template
    template_id: str  # tpl_… or the built-in's name
    row: ExtractionTemplate | None = None


def builtin_read(name: str) -> TemplateRead:
    template = get_template(name)
    return TemplateRead(
        id=name,
        team_id=None,
        name=template.name,
        description=template.description,
        version=template.version,
        builtin=True,
        fields=template.fields,
        rules=template.rules,
        date_order=template.date_order,
        created_at=None,
        updated_at=None,
    )


def template_read(row: ExtractionTemplate) -> TemplateRead:
    template = template_from_row(row)
    return TemplateRead(
        id=row.id,
        team_id=row.team_id,
        name=row.name,
        description=row.description,
        version=row.version,
        builtin=False,
        fields=template.fields,
        rules=template.rules,
        date_order=template.date_order,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _walk(fields: Sequence[FieldSpec], prefix: str) -> Iterator[tuple[str, str]]:
    for index, spec in enumerate(fields):
        path = f"{prefix}[{index}]"
        if spec.value_pattern:
            yield f"{path}.value_pattern", spec.value_pattern
        for number, locator in enumerate(spec.locators):
            for key in ("pattern", "end_pattern"):
                value = getattr(locator, key)
                if value:
                    yield f"{path}.locators[{number}].{key}", value
        yield from _walk(spec.fields, f"{path}.fields")


def check_patterns(template: Template) -> None:
    """Every regular expression must compile, so a bad one is a 422 now, not a 500 later."""
    written = list(_walk(template.fields, "fields"))
    for index, rule in enumerate(template.rules):
        if rule.pattern:
            written.append((f"rules[{index}].pattern", rule.pattern))
    errors = []
    for field, pattern in written:
        try:
            patterns.compile_pattern(pattern)
        except patterns.error as exc:
            errors.append(FieldError(field, "invalid_regex", f"Not a valid expression: {exc}"))
    if errors:
        raise ValidationFailed(errors)


class TemplateService:
    # ---- CRUD ---------------------------------------------------------------------------

    async def create(
        self, session: AsyncSession, principal: Principal, data: TemplateCreate
    ) -> TemplateRead:
        definition = data.model_dump(mode="json", include=set(DEFINITION_KEYS))
        check_patterns(Template(name=data.name, **definition))
        await self._check_name(session, principal, data.name)
        row = ExtractionTemplate(
            id=new_id(IdPrefix.template),
            team_id=principal.team_id,
            name=data.name,
            description=data.description,
            version=1,
            definition=definition,
            created_by=principal.user_id,
        )
        repository = TemplateRepository.from_session(session)
        await repository.add(row)
        await repository.add(self._version_row(row, principal))
        return template_read(row)

    async def _check_name(self, session: AsyncSession, principal: Principal, name: str) -> None:
        if name in BUILTINS:
            raise TemplateNameTaken(f"{name!r} is a built-in template; choose another name.")
        if await TemplateRepository.from_session(session).get_by_name(principal, name):
            raise TemplateNameTaken(f"The team already has a template named {name!r}.")

    def _version_row(
        self, row: ExtractionTemplate, principal: Principal
    ) -> ExtractionTemplateVersion:
        return ExtractionTemplateVersion(
            template_id=row.id,
            team_id=row.team_id,
            version=row.version,
            description=row.description,
            definition=row.definition,
            created_by=principal.user_id,
        )

    async def _get_row(
        self, session: AsyncSession, principal: Principal, template_id: str
    ) -> ExtractionTemplate:
        if template_id in BUILTINS:
            raise BuiltinReadOnly(
                f"{template_id!r} is built in; create a team template to change it."
            )
        row = await TemplateRepository.from_session(session).get(principal, template_id)
        if row is None:
            raise NotFound(f"No template {template_id}.")
        return row

    async def get(
        self, session: AsyncSession, principal: Principal, template_id: str
    ) -> TemplateRead:
        if template_id in BUILTINS:
            return builtin_read(template_id)
        row = await TemplateRepository.from_session(session).get(principal, template_id)
        if row is None:
            raise NotFound(f"No template {template_id}.")
        return template_read(row)

    async def list_templates(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[TemplateRead]:
        """The built-ins lead the first page; the team's templates follow, paginated."""
        rows = await TemplateRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        listed: Page[ExtractionTemplate] = Page.from_rows(rows, page.limit, cursor=lambda r: r.id)
        items = [template_read(row) for row in listed.items]
        if page.after is None:
            items = [builtin_read(name) for name in BUILTINS] + items
        return Page(items=items, next_cursor=listed.next_cursor, has_more=listed.has_more)

    async def update(
        self, session: AsyncSession, principal: Principal, template_id: str, data: TemplateUpdate
    ) -> TemplateRead:
        row = await self._get_row(session, principal, template_id)
        changes = data.model_dump(mode="json", exclude_unset=True, exclude_none=True)
        if not changes:
            return template_read(row)
        if "name" in changes and changes["name"] != row.name:
            await self._check_name(session, principal, changes["name"])
            row.name = changes["name"]
        if "description" in changes:
            row.description = changes["description"]
        definition = {**row.definition, **{k: changes[k] for k in DEFINITION_KEYS if k in changes}}
        check_patterns(Template(name=row.name, **definition))
        row.definition = definition
        row.version += 1
        await TemplateRepository.from_session(session).add(self._version_row(row, principal))
        return template_read(row)

    async def delete(self, session: AsyncSession, principal: Principal, template_id: str) -> None:
        row = await self._get_row(session, principal, template_id)
        await TemplateRepository.from_session(session).delete(row)

    async def versions(
        self, session: AsyncSession, principal: Principal, template_id: str
    ) -> list[TemplateVersionRead]:
        if template_id in BUILTINS:
            read = builtin_read(template_id)
            return [TemplateVersionRead.model_validate(read.model_dump())]
        row = await TemplateRepository.from_session(session).get(principal, template_id)
        if row is None:
            raise NotFound(f"No template {template_id}.")
        rows = await TemplateRepository.from_session(session).versions(row)
        return [
            TemplateVersionRead(
                version=v.version,
                description=v.description,
                created_at=v.created_at,
                **Template(name=row.name, **v.definition).model_dump(include=set(DEFINITION_KEYS)),
            )
            for v in rows
        ]

    # ---- applying -----------------------------------------------------------------------

    async def resolve(
        self, session: AsyncSession, principal: Principal, reference: str
    ) -> ResolvedTemplate:
        """A built-in by name, or a team template by id or by name."""
        if reference in BUILTINS:
            return ResolvedTemplate(get_template(reference), reference)
        repository = TemplateRepository.from_session(session)
        row = await repository.get(principal, reference) or await repository.get_by_name(
            principal, reference
        )
        if row is None:
            raise NotFound(f"No template {reference}.")
        return ResolvedTemplate(template_from_row(row), row.id, row)

    async def apply(
        self, runtime: Runtime, principal: Principal, template_id: str, data: ApplyRequest
    ) -> ApplyResult:
        """Reads and extracts in a read transaction, then stores everything in one short
        write: extracting a large batch never holds the (SQLite) write lock while it computes."""
        async with runtime.db.session(write=False) as session:
            resolved = await self.resolve(session, principal, template_id)
            documents = await self._targets(session, principal, data)
            extracted = [await self._extract(session, resolved, d) for d in documents]
        rows = {
            document.id: extraction_row(
                document,
                resolved.template_id,
                resolved.template,
                extraction,
                created_by=principal.user_id,
            )
            for document, extraction in zip(documents, extracted, strict=True)
            if extraction is not None
        }
        await self._store(runtime, list(rows.values()))
        items = [
            self._item(document, rows.get(document.id), extraction)
            for document, extraction in zip(documents, extracted, strict=True)
        ]
        return ApplyResult(
            template_id=resolved.template_id,
            template_name=resolved.template.name,
            template_version=resolved.template.version,
            extracted=len(rows),
            not_ready=len(items) - len(rows),
            results=items,
        )

    async def _targets(
        self, session: AsyncSession, principal: Principal, data: ApplyRequest
    ) -> Sequence[Document]:
        if data.document_ids is not None:
            return await document_service.get_many(session, principal, data.document_ids)
        repository = BatchRepository.from_session(session)
        batch = await repository.get(principal, data.batch_id or "")
        if batch is None:
            raise NotFound(f"No batch {data.batch_id}.")
        return await repository.documents(batch)

    async def _extract(
        self, session: AsyncSession, resolved: ResolvedTemplate, document: Document
    ) -> ExtractionResult | None:
        if document.version == 0:
            return None
        result = await document_service.pipeline_result_of(session, document)
        return await anyio.to_thread.run_sync(apply_template, result, resolved.template)

    async def _store(self, runtime: Runtime, rows: list[Extraction]) -> None:
        try:
            async with runtime.db.session() as session:
                await ExtractionRepository.from_session(session).add_all(rows)
        except IntegrityError as exc:
            raise Conflict("A document was deleted while it was extracted; apply again.") from exc

    def _item(
        self, document: Document, row: Extraction | None, extraction: ExtractionResult | None
    ) -> ApplyItem:
        if row is None or extraction is None:
            return ApplyItem(
                document_id=document.id,
                status="not_ready",
                detail=f"The document is {document.status}; it has no results yet.",
            )
        return ApplyItem(
            document_id=document.id,
            status="extracted",
            extraction_id=row.id,
            document_version=row.document_version,
            values=row.values,
            validation_passed=extraction.validation.passed if extraction.validation else None,
        )

    async def extractions(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: str,
        page: PageParams,
        *,
        template: str | None,
    ) -> Page[Extraction]:
        await document_service.get(session, principal, document_id)
        rows = await ExtractionRepository.from_session(session).list_for_document(
            principal, document_id, template_name=template, limit=page.limit, before=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda row: row.id)


template = TemplateService()
