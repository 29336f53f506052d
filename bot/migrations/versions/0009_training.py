"""training: enrolments, lessons, quiz polls and review cards

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('training_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('next_day', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', bot.db.UTCDateTime(), nullable=False),
    sa.Column('enrolled_by_id', sa.Integer(), nullable=True),
    sa.Column('ready_at', bot.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrolled_by_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('training_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_enrolment_person_id'), ['person_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_training_enrolment_state'), ['state'], unique=False)

    op.create_table('training_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('note_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('question_key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('card', sa.JSON(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('updated_at', bot.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['training_enrolment.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('enrolment_id', 'note_id', 'question_key', name='uq_training_card_question')
    )
    with op.batch_alter_table('training_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_card_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_card_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('training_lesson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('day_index', sa.Integer(), nullable=True),
    sa.Column('lesson_date', sa.Date(), nullable=False),
    sa.Column('due_at', bot.db.UTCDateTime(), nullable=False),
    sa.Column('created_at', bot.db.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('note_ids', sa.JSON(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('parts_queued', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['training_enrolment.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('enrolment_id', 'lesson_date', name='uq_training_lesson_date')
    )
    with op.batch_alter_table('training_lesson', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_lesson_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_lesson_state'), ['state'], unique=False)

    op.create_table('training_poll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('review', sa.Boolean(), nullable=False),
    sa.Column('note_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('question_key', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('correct_option', sa.Integer(), nullable=False),
    sa.Column('explanation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('next_attempt_at', bot.db.UTCDateTime(), nullable=True),
    sa.Column('maybe_duplicate', sa.Boolean(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('poll_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', bot.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', bot.db.UTCDateTime(), nullable=True),
    sa.Column('answered_at', bot.db.UTCDateTime(), nullable=True),
    sa.Column('chosen', sa.Integer(), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['training_enrolment.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['training_lesson.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('training_poll', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_poll_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_poll_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_poll_note_id'), ['note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_poll_poll_id'), ['poll_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_training_poll_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('training_poll', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_poll_state'))
        batch_op.drop_index(batch_op.f('ix_training_poll_poll_id'))
        batch_op.drop_index(batch_op.f('ix_training_poll_note_id'))
        batch_op.drop_index(batch_op.f('ix_training_poll_lesson_id'))
        batch_op.drop_index(batch_op.f('ix_training_poll_enrolment_id'))

    op.drop_table('training_poll')
    with op.batch_alter_table('training_lesson', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_lesson_state'))
        batch_op.drop_index(batch_op.f('ix_training_lesson_enrolment_id'))

    op.drop_table('training_lesson')
    with op.batch_alter_table('training_card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_card_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_training_card_due_on'))

    op.drop_table('training_card')
    with op.batch_alter_table('training_enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_enrolment_state'))
        batch_op.drop_index(batch_op.f('ix_training_enrolment_person_id'))

    op.drop_table('training_enrolment')
