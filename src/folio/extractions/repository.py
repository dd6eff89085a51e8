from __future__ import annotations

from collections.abc import Sequence

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.extractions.models import ExtractionCorrection


class CorrectionRepository(TeamScopedRepository[ExtractionCorrection]):
    model = ExtractionCorrection

    async def add(self, correction: ExtractionCorrection) -> None:
        self.session.add(correction)
        await self.session.flush()

    async def list_for_extraction(
        self, principal: Principal, extraction_id: str, *, limit: int, before: str | None
    ) -> Sequence[ExtractionCorrection]:
        statement = self.readable(principal).where(
            ExtractionCorrection.extraction_id == extraction_id
        )
        return await self.page_before(statement, limit=limit, before=before)
