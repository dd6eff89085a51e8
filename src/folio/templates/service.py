"""Extraction templates: team templates (versioned) and the built-ins. Applying them to
documents is :mod:`folio.extractions`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.pipeline.fields import (
    BUILTINS,
    FieldSpec,
    Template,
    get_template,
    patterns,
)
from folio.templates.definitions import builtin, template_from_row
from folio.templates.models import ExtractionTemplate, ExtractionTemplateVersion
from folio.templates.repository import TemplateRepository
from folio.templates.schemas import (
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

    async def find_for_team(
        self, session: AsyncSession, team_id: str, reference: str
    ) -> ResolvedTemplate | None:
        """A built-in, or ``team_id``'s template by id or name: for an upload's options and
        the job that applies them, which act for the document's own team."""
        found = builtin(reference)
        if found is not None:
            return ResolvedTemplate(found, reference)
        row = await TemplateRepository.from_session(session).for_team(team_id, reference)
        return ResolvedTemplate(template_from_row(row), row.id, row) if row is not None else None

    async def check_requested(
        self, session: AsyncSession, team_id: str, reference: str | None
    ) -> None:
        """The template an upload asks for (``options.template``) exists."""
        if reference is not None and await self.find_for_team(session, team_id, reference) is None:
            raise ValidationFailed(
                [FieldError("options.template", "not_found", f"No template {reference}.")]
            )


template = TemplateService()
