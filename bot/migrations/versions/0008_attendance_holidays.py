"""attendance: shifts that run on public holidays, official schedules entered by admins

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_holidays', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('statutory_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('statutory_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statutory_day_day'), ['day'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('statutory_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statutory_day_day'))

    op.drop_table('statutory_day')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_column('on_holidays')
