"""a workshop's title and place in several languages

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

A title typed in English showed in English on Pashto and Dari pages and posters. Two JSON
columns hold the title and the place per language ({"ps": "..."}); the old single columns
stay, as the text shown where a language has none. Existing workshops get {}.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
COLUMNS = ('titles', 'places')


def _columns() -> set[str]:
    return {column['name'] for column in sa.inspect(op.get_bind()).get_columns('workshop')}


def upgrade() -> None:
    existing = _columns()
    with op.batch_alter_table('workshop') as batch:
        for name in COLUMNS:
            if name not in existing:
                batch.add_column(sa.Column(name, JSON_TYPE, nullable=False, server_default='{}'))


def downgrade() -> None:
    existing = _columns()
    with op.batch_alter_table('workshop') as batch:
        for name in COLUMNS:
            if name in existing:
                batch.drop_column(name)
