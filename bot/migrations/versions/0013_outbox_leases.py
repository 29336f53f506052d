"""delivery: outbox rows are claimed with a lease (who, until when), and one leader is elected

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09 09:00:00.000000
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
