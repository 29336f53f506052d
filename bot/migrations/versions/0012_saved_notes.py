"""knowledge: notes saved from chat live in the database, shared by every instance

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_note",
        sa.Column("note_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", bot.db.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["saved_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("note_id"),
    )


def downgrade() -> None:
    op.drop_table("saved_note")
