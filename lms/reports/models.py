"""The export audit log: who exported which records, when, with what filter, and how many.

Personal data (UU 27/2022): every export and API read of other people's records leaves a row here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import UTCDateTime, utcnow
from lms.extensions import db


class ExportLog(db.Model):
    __tablename__ = "export_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(120))  # login, or "cli:<os user>" from the shell
    channel: Mapped[str] = mapped_column(String(10))  # web, cli, api
    export_format: Mapped[str] = mapped_column(String(20))  # csv, csv-semicolon, xlsx, json, ...
    filters: Mapped[dict] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer)

    user = relationship("User")
