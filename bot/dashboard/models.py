"""The dashboard's one table: which private chats have its menu button, as it was set, so that a start only
sets what changed (a new person, another language, another address) and takes it back from those who lost
access."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class MenuButtonSet(SQLModel, table=True):
    """A private chat whose menu button opens the dashboard: the address and the label it was set with."""

    __tablename__ = "dashboard_menu_button"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    url: str = Field(sa_column=Column(Text, nullable=False))
    label: str = Field(max_length=64)
    set_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
