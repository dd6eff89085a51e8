from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin


class Project(TimestampMixin, Base):
    """A team's image dataset in the making: its crawl jobs, images and exports."""

    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_team_id_id", "team_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[str | None] = mapped_column(String(40))
    # bumped (under a row lock) by every commit that adds unique images: a process's
    # de-duplication index knows which rows it has not seen yet (images/dedup.py)
    dedup_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
