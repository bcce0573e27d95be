"""a workshop's newest answers by index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

The results page filtered by workshop lists that workshop's newest written answers. With
only (form_id, answered_at, id) the database walked the questionnaire's whole index
backwards looking for the workshop's rows, which for a small workshop of long ago meant
nearly every submission. (workshop, form_id, answered_at, id) reads them directly and
replaces the index on workshop alone; the index on form_id alone goes too, as the first
column of (form_id, answered_at, id) serves the same look-ups. One index fewer to keep up
at every insert.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_submission_workshop_form_id_answered_at'
REPLACED = {'ix_submission_workshop': ['workshop'], 'ix_submission_form_id': ['form_id']}


def _indexes() -> set[str]:
    return {index['name'] for index in sa.inspect(op.get_bind()).get_indexes('submission')}


def upgrade() -> None:
    existing = _indexes()
    if INDEX not in existing:
        op.create_index(INDEX, 'submission', ['workshop', 'form_id', 'answered_at', 'id'], unique=False)
    for name in REPLACED:
        if name in existing:
            op.drop_index(name, table_name='submission')


def downgrade() -> None:
    existing = _indexes()
    for name, columns in REPLACED.items():
        if name not in existing:
            op.create_index(name, 'submission', columns, unique=False)
    if INDEX in existing:
        op.drop_index(INDEX, table_name='submission')
