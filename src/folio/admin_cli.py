"""``folio admin``: accounts, keys and the JWT signing key, made without a server, for scripts."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from folio.admin.service import admin as admin_service
from folio.audit.repository import AuditRepository
from folio.audit.service import new_audit_id
from folio.auth.accounts import create_account
from folio.auth.resolver import principal_for_user
from folio.config import Settings
from folio.core.datadir import prepare_data_dir
from folio.core.db import Database, utcnow
from folio.core.errors import FolioError
from folio.core.events import access_change_publisher, build_event_bus
from folio.core.permissions import Permission
from folio.core.runtime import build_key_ring
from folio.core.security import KeyRotationUnavailable, new_secret
from folio.keys.schemas import KeyCreate
from folio.keys.service import key as key_service
from folio.migrations import upgrade_database
from folio.system.service import retired_key_lifetime
from folio.teams.service import team as team_service
from folio.users.service import user as user_service

admin = typer.Typer(
    help="Create accounts and API keys, rotate the signing key (works without a running server).",
    no_args_is_help=True,
)
stderr = Console(stderr=True)
T = TypeVar("T")
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Default: ./folio-data")]


def run_in_database(data_dir: Path | None, work: Callable[[Database], Awaitable[T]]) -> T:
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    prepare_data_dir(settings.data_dir)

    async def run() -> T:
        database = Database(settings.resolved_database_url)
        # with Redis (scale-out), the API processes drop what they cached of a changed account
        # at once; without it, their cache lasts FOLIO_AUTH_CACHE_TTL_S at most
        bus = build_event_bus(settings.redis_url)
        database.on_every_commit(access_change_publisher(bus))
        try:
            await upgrade_database(database.engine)
            return await work(database)
        finally:
            await database.dispose()
            await bus.stop()

    try:
        return asyncio.run(run())
    except FolioError as error:
        stderr.print(f"[red]{error.code}[/red]: {error.detail}")
        raise typer.Exit(code=1) from error


@admin.command("create-user")
def create_user(
    email: str,
    password: Annotated[str | None, typer.Option(help="Default: a random one, printed")] = None,
    role: Annotated[str, typer.Option(help="'admin' (system admin) or 'user'")] = "user",
    data_dir: DataDir = None,
) -> None:
    """Create an account with a personal team."""
    if role not in ("admin", "user"):
        raise typer.BadParameter("role must be 'admin' or 'user'")
    chosen = password or new_secret(12)

    async def work(database: Database) -> str:
        async with database.session() as session:
            created = await create_account(
                session, email=email, password=chosen, is_admin=role == "admin", verified=True
            )
            return created.id

    user_id = run_in_database(data_dir, work)
    sys.stdout.write(
        json.dumps(
            {
                "id": user_id,
                "email": email.lower(),
                "role": role,
                **({} if password else {"password": chosen}),
            }
        )
        + "\n"
    )


@admin.command("create-key")
def create_key(
    user: Annotated[str, typer.Option("--user", help="The owner's e-mail")],
    scopes: Annotated[
        list[Permission] | None, typer.Option(help="Repeatable; default: all of the user's")
    ] = None,
    name: Annotated[str, typer.Option()] = "admin cli",
    team: Annotated[str | None, typer.Option(help="Team id; default: personal team")] = None,
    allowed_ip: Annotated[
        list[str] | None,
        typer.Option("--allowed-ip", help="A CIDR the key may be used from; repeatable"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an API key for a user; the full key is printed once."""
    try:
        data = KeyCreate.model_validate({"name": name, "scopes": scopes, "allowed_ips": allowed_ip})
    except ValidationError as error:
        raise typer.BadParameter(str(error)) from error
    settings = Settings(data_dir=data_dir) if data_dir else Settings()

    async def work(database: Database) -> dict[str, object]:
        async with database.session() as session:
            owner = await user_service.get_by_email(session, user)
            if owner is None:
                raise typer.BadParameter(f"no user {user}")
            principal = await principal_for_user(session, owner, team)
            created = await key_service.create(session, principal, settings, data)
            return {
                "id": created.id,
                "key": created.key,
                "team_id": created.team_id,
                "user_id": created.user_id,
                "scopes": created.scopes,
            }

    created = run_in_database(data_dir, work)
    if as_json:
        sys.stdout.write(json.dumps(created) + "\n")
    else:
        sys.stdout.write(f"{created['key']}\n")
        stderr.print(f"key {created['id']} for team {created['team_id']}: shown once")


@admin.command("set-plan")
def set_plan(
    team: Annotated[str, typer.Argument(help="Team id (team_…)")],
    plan: Annotated[
        str,
        typer.Argument(
            help="A plan of FOLIO_RATE_LIMIT_PLANS, FOLIO_QUOTA_PLANS or FOLIO_PLAN_LIMITS"
        ),
    ],
    data_dir: DataDir = None,
) -> None:
    """Put a team on a plan: its rate limits, monthly quotas, API keys and its owners' teams."""
    settings = Settings(data_dir=data_dir) if data_dir else Settings()

    async def work(database: Database) -> dict[str, str]:
        async with database.session() as session:
            changed = await team_service.set_plan(session, settings, team, plan)
            return {"id": changed.id, "plan": changed.plan}

    sys.stdout.write(json.dumps(run_in_database(data_dir, work)) + "\n")


UserArgument = Annotated[str, typer.Argument(help="The account's e-mail or id (usr_…)")]


def _set_active(user: str, data_dir: Path | None, *, active: bool) -> None:
    async def work(database: Database) -> dict[str, object]:
        async with database.session() as session:
            account = await admin_service.find_user(session, user)
            changed = await admin_service.change_active(session, account, active=active)
            await AuditRepository.from_session(session).add_many([_cli_audit(account.id, active)])
            return {"id": changed.id, "email": changed.email, "is_active": changed.is_active}

    sys.stdout.write(json.dumps(run_in_database(data_dir, work)) + "\n")


def _cli_audit(user_id: str, active: bool) -> dict[str, object]:
    verb = "enable" if active else "disable"
    return {
        "id": new_audit_id(),
        "created_at": utcnow(),
        "team_id": None,  # a system action, like the admin API's, seen by system admins
        "actor_type": "cli",
        "action": f"admin.users.{verb}",
        "resource_type": "user",
        "resource_id": user_id,
        "method": "CLI",
        "route": f"folio admin {verb}",
        "status_code": 200,
        "outcome": "success",
        "changed_fields": ["is_active"],
    }


@admin.command("disable")
def disable(user: UserArgument, data_dir: DataDir = None) -> None:
    """Disable an account: its sessions end and its API keys are refused from the next request
    (within FOLIO_AUTH_CACHE_TTL_S in other processes when there is no Redis)."""
    _set_active(user, data_dir, active=False)


@admin.command("enable")
def enable(user: UserArgument, data_dir: DataDir = None) -> None:
    """Enable a disabled account again; its API keys work again, its ended sessions do not."""
    _set_active(user, data_dir, active=True)


@admin.command("rotate-signing-key")
def rotate_signing_key(data_dir: DataDir = None) -> None:
    """Sign new access tokens with a fresh key; tokens signed before still verify until they
    expire. Running servers pick the new key up from the data directory."""
    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    ring = build_key_ring(settings)
    try:
        kid = ring.rotate_stored(keep_retired=retired_key_lifetime(settings))
    except KeyRotationUnavailable as error:
        stderr.print(f"[red]CONFLICT[/red]: {error}")
        raise typer.Exit(code=1) from error
    keys = [info.kid for info in ring.describe()]
    sys.stdout.write(json.dumps({"current": kid, "keys": keys}) + "\n")
