"""The key ring against the database: the start-up check that every key the stored values
may need is configured, and the rotation that re-encrypts stored values with the active key
(which also encrypts values stored before encryption was turned on).

Encrypted columns are found by their type (:class:`~folio.core.crypto.EncryptedText`,
:class:`~folio.core.crypto.EncryptedJSON`) in the metadata, so a column another package
declares with one of them is covered without being listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Table, Text, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.crypto import EncryptedJSON, EncryptedText, EncryptionKeyMissing, KeyRing
from folio.core.db import Base, Database
from folio.encryption.models import EncryptionKeyUse

BATCH = 200


def encrypted_columns() -> list[tuple[Table, Column[object]]]:
    import folio.models  # noqa: F401 - every table registered, whoever calls this

    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText | EncryptedJSON):
                found.append((table, column))
    return found


async def check_keys(session: AsyncSession, ring: KeyRing) -> None:
    """Raises :class:`EncryptionKeyMissing`, naming the ids, when values in the database may
    be encrypted with a key this process does not have; records the active key as in use."""
    used = set((await session.scalars(select(EncryptionKeyUse.key_id))).all())
    missing = sorted(used - set(ring.keys))
    if missing:
        raise EncryptionKeyMissing(
            f"The database holds values encrypted with key(s) {', '.join(missing)}, which "
            "FOLIO_ENCRYPTION_KEYS does not name. Add them (and keep them until `folio "
            "encryption rotate` has re-encrypted everything with the active key)."
        )
    if ring.active is not None and ring.active not in used:
        session.add(EncryptionKeyUse(key_id=ring.active))
        await session.flush()


@dataclass
class ColumnReport:
    table: str
    column: str
    scanned: int = 0
    rewritten: int = 0


@dataclass
class RotationReport:
    active_key: str
    columns: list[ColumnReport] = field(default_factory=list)
    retired_keys: list[str] = field(default_factory=list)

    @property
    def rewritten(self) -> int:
        return sum(column.rewritten for column in self.columns)


async def rotate(
    db: Database, ring: KeyRing, on_batch: Callable[[ColumnReport], None] | None = None
) -> RotationReport:
    """Re-encrypts every stored value that is not under the active key (older keys and
    plaintext), a batch per transaction: stopped half-way, a second run resumes where the
    first left off, as rows already current are skipped. Then only the active key is left in
    use, so older keys may be removed from the configuration."""
    if ring.active is None:
        raise EncryptionKeyMissing("Set FOLIO_ENCRYPTION_KEYS to rotate to a key.")
    async with db.session() as session:
        await check_keys(session, ring)  # the unit of work commits when the block ends
    report = RotationReport(active_key=ring.active)
    for table, column in encrypted_columns():
        column_report = ColumnReport(table.name, column.name)
        report.columns.append(column_report)
        await _rotate_column(db, ring, table, column, column_report, on_batch)
    async with db.session() as session:
        retired = await session.scalars(
            select(EncryptionKeyUse.key_id).where(EncryptionKeyUse.key_id != ring.active)
        )
        report.retired_keys = sorted(retired.all())
        for key_id in report.retired_keys:
            await session.delete(await session.get(EncryptionKeyUse, key_id))
    return report


async def _rotate_column(
    db: Database,
    ring: KeyRing,
    table: Table,
    column: Column[object],
    report: ColumnReport,
    on_batch: Callable[[ColumnReport], None] | None,
) -> None:
    (key,) = table.primary_key.columns
    stored = type_coerce(column, Text)  # the text as stored, not decrypted
    after: object = None
    while True:
        query = select(key, stored).where(column.is_not(None)).order_by(key).limit(BATCH)
        if after is not None:
            query = query.where(key > after)
        async with db.session() as session:
            rows = (await session.execute(query)).all()
            if not rows:
                return
            for row_id, value in rows:
                report.scanned += 1
                if value is None or ring.is_current(value):
                    continue
                # compare-and-set: a value a request changed meanwhile is left to its write
                result = await session.execute(
                    update(table)
                    .where(key == row_id, stored == value)
                    .values({column.name: type_coerce(ring.encrypt(ring.decrypt(value)), Text)})
                )
                report.rewritten += cast(CursorResult[Any], result).rowcount
        after = rows[-1][0]
        if on_batch is not None:
            on_batch(report)
