"""Only the owner of a unit of work opens one (STYLE.md §2).

A request's work uses the request's session (``DbSession``); a side effect that must commit on
its own goes through ``Database.independent()``, which says so. ``db.session()`` is left to the
owners listed here, each with the reason it may open a unit of work of its own. A new call
anywhere else fails this test: take the request's session, use ``independent()``, or add the
owner here with its reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import folio

SOURCE = Path(folio.__file__).resolve().parent

# the whole module is a runner, worker, supervisor or command line: never inside a request
OWNER_MODULES = {
    "folio/cli.py": "command line",
    "folio/admin_cli.py": "command line",
    "folio/app.py": "the app's lifespan (first-start bootstrap)",
    "folio/core/deps.py": "the request's own session dependency",
    "folio/workers/runner.py": "the job runner",
    "folio/workers/pool.py": "the local worker pool's claim loop",
    "folio/workers/dispatch.py": "the Celery feeder loop",
    "folio/workers/celery_worker.py": "the Celery worker",
    "folio/crawls/supervisor.py": "the crawl supervisor",
    "folio/crawls/chunks.py": "a chunk's work, run by the crawl supervisor",
    "folio/crawls/recording.py": "keeping a chunk's images, run by the crawl supervisor",
    "folio/images/dedup.py": "the de-duplication index, loaded by the crawl supervisor",
    "folio/datasets/builder.py": "the dataset builder, run by the crawl supervisor",
    "folio/webhooks/dispatcher.py": "the webhook delivery loop",
    "folio/automations/runner.py": "the automation runner: a transaction per planned step",
    "folio/reports/builder.py": "the report builder, a background loop of the server",
    "folio/retention/purge.py": "the retention purge, a periodic task; its on-demand route takes "
    "no session: one short unit of work per batch of documents, never one long write",
    "folio/workflows/reminders.py": "the workflow reminders, a periodic task",
    "folio/encryption/service.py": "folio encryption rotate (command line): one short unit of "
    "work per batch of rows, so a stopped rotation resumes",
    "folio/directory/runs.py": "LDAP test and sync (manual route, periodic task): a read, the "
    "directory's answer with no transaction open, then one short write",
    "folio/directory/login.py": "LDAP sign-in takes no session: a read, the bind with no "
    "transaction open, then one short write",
    "folio/directory/schedule.py": "the scheduled LDAP sync, a periodic task",
    "folio/erasure/runner.py": "the erasure runner, a background loop of the server: one "
    "short unit of work per batch of documents",
}

# one function of a module that also serves requests
OWNER_FUNCTIONS = {
    "folio/auth/resolver.py::resolve": "auth middleware: runs before the request's session",
    "folio/auth/principal_cache.py::PrincipalCache._expiry": "auth middleware, as resolve",
    "folio/auth/resolver.py::refresh": "the WebSocket loop's re-check of its credential",
    "folio/usage/meter.py::UsageMeter._month_base": "quota middleware, a cached read",
    "folio/audit/recorder.py::ActivityRecorder._prune_if_due": "the audit flusher's task",
    "folio/audit/service.py::AuditService._entries": "a streamed body: the request's "
    "session has closed; a short read per batch",
    "folio/exports/service.py::ExportService._records": "a streamed body, as audit export",
    "folio/extractions/service.py::ExtractionService.apply": "its route takes no session: reads "
    "and extracts first, then one short write, so extracting never holds the write lock",
    "folio/extractions/service.py::ExtractionService._store": "the short write of apply",
    "folio/documents/zero_retention.py::ZeroRetentionService.process": "its route takes no "
    "session: a read, the processing with no transaction open, then one short write",
    "folio/realtime/service.py::RealtimeService._may_subscribe": "the WebSocket loop",
    "folio/realtime/service.py::RealtimeService._catch_up": "the WebSocket loop",
    "folio/datasets/service.py::DatasetService.get": "long poll: a fresh read per look, "
    "no transaction held while it waits",
    "folio/documents/service.py::DocumentService._summary": "long poll, as datasets",
    "folio/reports/service.py::ReportService.get": "long poll, as datasets",
    "folio/system/service.py::SystemService._check_database": "the health probe: a fresh "
    "connection whose failure is reported, not raised",
    "folio/system/service.py::SystemService.announce_lifecycle": "process start and stop",
    "folio/system/probes.py::queue": "the readiness probe: its failure is reported, not raised",
    "folio/metrics/live.py::_queue": "a metrics scrape: a failed read still leaves the rest",
    "folio/notifications/service.py::digest_sending.send": "a periodic task",
    "folio/events/service.py::event_log_pruning.prune": "a periodic task",
    "folio/directory/tokens.py::ScimTokenService.resolve": "the SCIM token check, as resolve: "
    "its last use is noted apart, whatever becomes of the request",
}


def session_calls() -> Iterator[tuple[str, str, int]]:
    """(module, enclosing function, line) of each ``<…>.db.session(…)`` and
    ``database.session(…)`` call in the package."""
    for path in sorted(SOURCE.rglob("*.py")):
        module = path.relative_to(SOURCE.parent).as_posix()
        yield from _calls_in(ast.parse(path.read_text()), module, [])


def _calls_in(node: ast.AST, module: str, scope: list[str]) -> Iterator[tuple[str, str, int]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from _calls_in(child, module, [*scope, child.name])
            continue
        if _is_db_session_call(child):
            yield module, ".".join(scope), child.lineno  # type: ignore[attr-defined]
        yield from _calls_in(child, module, scope)


def _is_db_session_call(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    target = node.func.value
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
    return node.func.attr == "session" and name in ("db", "database")


def test_only_owners_open_a_unit_of_work() -> None:
    calls = list(session_calls())
    strays = [
        f"{module}:{line} in {function or '<module>'}"
        for module, function, line in calls
        if module not in OWNER_MODULES and f"{module}::{function}" not in OWNER_FUNCTIONS
    ]

    assert len(calls) > 10, "the walk found too few calls: has the package moved?"
    assert strays == [], "a unit of work of its own inside a request: " + ", ".join(strays)


def test_a_stray_session_call_is_found() -> None:
    tree = ast.parse(
        "class ShareService:\n"
        "    async def open_shared(self, runtime):\n"
        "        async with runtime.db.session() as counting:\n"
        "            pass\n"
    )

    found = list(_calls_in(tree, "folio/shares/service.py", []))

    assert found == [("folio/shares/service.py", "ShareService.open_shared", 3)]
