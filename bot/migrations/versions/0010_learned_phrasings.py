"""knowledge: phrasings learned from questions, and which one answered (or was taught by) a question

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learned_phrasing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("normalized", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("normalized", "note_id"),
    )
    with op.batch_alter_table("learned_phrasing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learned_phrasing_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_learned_phrasing_note_id"), ["note_id"], unique=False)

    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("learned_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_question_learned_id"), ["learned_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_question_learned_id_learned_phrasing",
            "learned_phrasing",
            ["learned_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_constraint("fk_question_learned_id_learned_phrasing", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_question_learned_id"))
        batch_op.drop_column("learned_id")

    with op.batch_alter_table("learned_phrasing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learned_phrasing_note_id"))
        batch_op.drop_index(batch_op.f("ix_learned_phrasing_created_at"))

    op.drop_table("learned_phrasing")
