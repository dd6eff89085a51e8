"""Notifications: made from events for each member who wants that category, pushed live as
``system.notification`` to that person only, and e-mailed at once or in digests."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.background import Periodic
from folio.core.db import after_commit, utcnow
from folio.core.errors import Forbidden, NotFound
from folio.core.events import Event, publish_after_commit
from folio.core.ids import IdPrefix, new_id
from folio.core.mail import Mail
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.events.catalog import (
    AUTOMATION_NOTIFICATION,
    AUTOMATION_PAUSED,
    DOCUMENT_SHARED,
    ERASURE_COMPLETED,
    SYSTEM_TEAM_ID,
    WORKFLOW_EVENTS,
)
from folio.notifications.models import Notification, NotificationPreference
from folio.notifications.repository import NotificationRepository
from folio.notifications.schemas import (
    DEFAULT_CATEGORIES,
    KNOWN_BEFORE_TRACKING,
    Category,
    DigestFrequency,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
)
from folio.users.repository import UserRepository

logger = logging.getLogger("folio.notifications")
DIGEST_PERIOD = {
    DigestFrequency.daily: timedelta(days=1),
    DigestFrequency.weekly: timedelta(days=7),
}


def describe(event: Event) -> tuple[Category, str, str] | None:
    """The notifications the catalog makes; other events make none."""
    data = event.data
    if event.type == "document.failed":
        error = data.get("error") or {}
        return (
            Category.documents,
            "A document failed",
            f"{data.get('document_id')}: {error.get('code')} {error.get('message', '')}",
        )
    if event.type == "batch.completed":
        totals = data.get("totals") or {}
        return (
            Category.batches,
            "A batch finished",
            f"{data.get('batch_id')}: {totals.get('completed', 0)} completed, "
            f"{totals.get('failed', 0)} failed of {totals.get('total', 0)}",
        )
    if event.type == AUTOMATION_NOTIFICATION:
        document = data.get("filename") or data.get("document_id") or ""
        body = str(data.get("message") or "") or f"Rule {data.get('rule_id')}"
        return (Category.documents, str(data.get("title")), f"{body} ({document})".strip())
    if event.type == ERASURE_COMPLETED:
        totals = data.get("totals") or {}
        return (
            Category.team,
            "An erasure request is done",
            f"{data.get('erasure_id')} ({data.get('action')}): "
            f"{totals.get('documents', 0)} document(s) named the person",
        )
    if event.type == AUTOMATION_PAUSED:
        return (
            Category.documents,
            "An automation rule was paused",
            f"{data.get('name')} ({data.get('rule_id')}): {data.get('reason')}",
        )
    if event.type.startswith("team.member_") or event.type == "team.role_changed":
        return (Category.team, "Team change", f"{event.type}: {data.get('user_id')}")
    if event.type in ("system.maintenance", "system.broadcast"):
        return Category.system, "Folio", str(data.get("message", event.type))
    if event.type == DOCUMENT_SHARED and data.get("recipient_user_id"):
        return (
            Category.documents,
            "A document was shared with you",
            f"{data.get('filename') or data.get('document_id')} ({data.get('document_id')})",
        )
    if event.type in WORKFLOW_EVENTS:
        return Category.workflows, *_workflow_text(event)
    return None


WORKFLOW_TITLES = {
    "workflow.started": "A workflow started",
    "workflow.task_assigned": "A workflow task for you",
    "workflow.task_approved": "A workflow task was approved",
    "workflow.task_rejected": "A workflow task was rejected",
    "workflow.task_overdue": "A workflow task is overdue",
    "workflow.step_executed": "A workflow step ran",
    "workflow.commented": "A comment on a workflow",
    "workflow.completed": "A workflow completed",
    "workflow.rejected": "A workflow was rejected",
    "workflow.cancelled": "A workflow was cancelled",
}


def _workflow_text(event: Event) -> tuple[str, str]:
    data = event.data
    about = f"{data.get('workflow_name')} on {data.get('document_id')}"
    if data.get("step"):
        about += f", step {data.get('step')}"
    detail = data.get("message") or data.get("comment")
    body = f"{about}: {detail}" if detail else about
    return WORKFLOW_TITLES.get(event.type, event.type), body[:2000]


Recipient = tuple[str, str, NotificationPreference | None]  # user id, team id, preference


def notification_read(row: Notification) -> NotificationRead:
    return NotificationRead(
        id=row.id,
        team_id=row.team_id,
        category=row.category,
        title=row.title,
        body=row.body,
        event_id=row.event_id,
        data=row.data,
        read=row.read_at is not None,
        read_at=row.read_at,
        created_at=row.created_at,
    )


def preferences_read(preference: NotificationPreference | None) -> PreferencesRead:
    if preference is None:
        return PreferencesRead(
            email_enabled=False,
            categories=DEFAULT_CATEGORIES,
            digest_frequency=DigestFrequency.none,
        )
    return PreferencesRead(
        email_enabled=preference.email_enabled,
        categories=categories_of(preference),
        digest_frequency=DigestFrequency(preference.digest_frequency),
    )


def categories_of(preference: NotificationPreference) -> list[Category]:
    """The categories turned on, plus each one added after the preference was saved when
    that one is on by default (people who saved before ``workflows`` existed get it)."""
    known = preference.known_categories
    seen = KNOWN_BEFORE_TRACKING if known is None else frozenset(known)
    chosen = frozenset(preference.categories)
    return [
        category
        for category in Category
        if category in chosen or (category not in seen and category in DEFAULT_CATEGORIES)
    ]


class NotificationService:
    async def from_events(
        self, session: AsyncSession, runtime: Runtime, events: Sequence[Event]
    ) -> None:
        """The event log's consumer: in-app notifications (and their e-mails) for ``events``."""
        for event in events:
            await self.from_event(session, runtime, event)

    async def from_event(self, session: AsyncSession, runtime: Runtime, event: Event) -> None:
        described = describe(event)
        if described is None:
            return
        category, title, body = described
        repository = NotificationRepository.from_session(session)
        for user_id, team_id, preference in await self._recipients(repository, event):
            wanted = preferences_read(preference)
            if category not in wanted.categories:
                continue
            row = Notification(
                id=new_id(IdPrefix.notification),
                team_id=team_id,
                user_id=user_id,
                category=category,
                title=title,
                body=body,
                event_id=event.id,
                data=event.data,
            )
            repository.add(row)
            if event.team_id != SYSTEM_TEAM_ID:  # the system event itself reaches every socket
                await self._announce(session, runtime, row)
            if wanted.email_enabled and wanted.digest_frequency == DigestFrequency.none:
                await self._mail_now(session, runtime, row)

    async def _recipients(
        self, repository: NotificationRepository, event: Event
    ) -> list[Recipient]:
        """Everyone for system-wide events (in their personal team), the one person a document
        was shared with, the people a workflow event names, else the team's active members."""
        if event.team_id == SYSTEM_TEAM_ID:
            return list(await repository.everyone())
        members = await repository.recipients(event.team_id)
        if event.type in WORKFLOW_EVENTS:  # the people the workflow named, if still members
            named = set(event.data.get("recipient_user_ids") or ())
            return [(u, event.team_id, p) for u, p in members if u in named]
        personal = event.type in (DOCUMENT_SHARED, ERASURE_COMPLETED)
        only = event.data.get("recipient_user_id") if personal else None
        return [
            (user_id, event.team_id, preference)
            for user_id, preference in members
            if only is None or user_id == only
        ]

    async def _announce(self, session: AsyncSession, runtime: Runtime, row: Notification) -> None:
        live = Event(
            type="system.notification",
            team_id=row.team_id,
            data={
                "user_id": row.user_id,
                "notification_id": row.id,
                "category": row.category,
                "title": row.title,
                "body": row.body,
            },
        )
        publish_after_commit(session, runtime.bus, live)

    async def _mail_now(self, session: AsyncSession, runtime: Runtime, row: Notification) -> None:
        user = await UserRepository.from_session(session).get(row.user_id)
        if user is None:
            return
        mail = Mail(to=user.email, subject=f"Folio: {row.title}", body=row.body + "\n")

        async def send() -> None:
            await runtime.mailer.send(mail)

        after_commit(session, send)

    async def list_notifications(
        self,
        session: AsyncSession,
        principal: Principal,
        page: PageParams,
        *,
        read: bool | None,
        category: Category | None,
    ) -> Page[NotificationRead]:
        self._person(principal)
        rows = await NotificationRepository.from_session(session).list_page(
            principal, read=read, category=category, limit=page.limit, before=page.after
        )
        items = [notification_read(row) for row in rows]
        return Page.from_rows(items, page.limit, cursor=lambda item: item.id)

    def _person(self, principal: Principal) -> None:
        if principal.user_id is None:
            raise Forbidden("Notifications belong to people.")

    async def mark_read(
        self, session: AsyncSession, principal: Principal, notification_id: str
    ) -> NotificationRead:
        self._person(principal)
        row = await NotificationRepository.from_session(session).get(principal, notification_id)
        if row is None:
            raise NotFound(f"No notification {notification_id}.")
        row.read_at = row.read_at or utcnow()
        return notification_read(row)

    async def mark_all_read(self, session: AsyncSession, principal: Principal) -> int:
        self._person(principal)
        return await NotificationRepository.from_session(session).mark_all_read(principal, utcnow())

    async def preferences(self, session: AsyncSession, principal: Principal) -> PreferencesRead:
        self._person(principal)
        return preferences_read(
            await NotificationRepository.from_session(session).preference(principal.user_id or "")
        )

    async def update_preferences(
        self, session: AsyncSession, principal: Principal, data: PreferencesUpdate
    ) -> PreferencesRead:
        self._person(principal)
        repository = NotificationRepository.from_session(session)
        preference = await repository.preference(principal.user_id or "")
        if preference is None:
            current = preferences_read(None)
            preference = NotificationPreference(
                user_id=principal.user_id,
                email_enabled=current.email_enabled,
                categories=[str(c) for c in current.categories],
                digest_frequency=current.digest_frequency,
            )
            repository.add(preference)
        changes = data.model_dump(exclude_unset=True, mode="json")
        if changes.get("categories") is None:  # keep what reads now, defaults included
            changes["categories"] = [str(c) for c in categories_of(preference)]
        for field in ("email_enabled", "categories", "digest_frequency"):
            if changes.get(field) is not None:
                setattr(preference, field, changes[field])
        preference.known_categories = [str(c) for c in Category]
        await session.flush()
        return preferences_read(preference)

    async def send_digests(self, session: AsyncSession, runtime: Runtime) -> int:
        """One e-mail per person whose daily or weekly digest is due, with what is unread."""
        repository = NotificationRepository.from_session(session)
        sent = 0
        for frequency, period in DIGEST_PERIOD.items():
            for preference in await repository.digest_due(frequency, utcnow() - period):
                unread = await repository.unread_since(
                    preference.user_id, preference.last_digest_at
                )
                preference.last_digest_at = utcnow()
                user = await UserRepository.from_session(session).get(preference.user_id)
                if not unread or user is None:
                    continue
                lines = "\n".join(f"- {n.title}: {n.body}" for n in unread)
                await runtime.mailer.send(
                    Mail(
                        to=user.email,
                        subject=f"Folio: {len(unread)} unread notifications",
                        body=f"Your {frequency} digest:\n\n{lines}\n",
                    )
                )
                sent += 1
        return sent


def digest_sending(runtime: Runtime, *, every_s: float = 3600) -> Periodic:
    async def send() -> None:
        async with runtime.db.session() as session:
            await notification.send_digests(session, runtime)

    return Periodic("folio-notification-digests", send, every_s)


notification = NotificationService()
