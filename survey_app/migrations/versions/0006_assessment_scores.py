"""scores of knowledge checks, kept when a submission is stored

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

A knowledge check (a questionnaire with correct answers) is scored once, when its
submission is stored; the results page reads these rows instead of rescoring every answer.
The participant code and the phase (pre/post) pair a pre-test with its post-test.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlmodel.sql.sqltypes import AutoString
from sqlmodel.sql.sqltypes import UTCDateTime

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
TABLE = 'assessmentscore'


def upgrade() -> None:
    if TABLE in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_uuid', AutoString(length=36), nullable=False),
        sa.Column('form_id', AutoString(length=100), nullable=False),
        sa.Column('form_version', AutoString(length=40), nullable=False),
        sa.Column('workshop', AutoString(length=100), nullable=False),
        sa.Column('lang', AutoString(length=20), nullable=False),
        sa.Column('phase', AutoString(length=4), nullable=False),
        sa.Column('participant', AutoString(length=16), nullable=False),
        sa.Column('points', sa.Float(), nullable=False),
        sa.Column('maximum', sa.Float(), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=True),
        sa.Column('questions', JSON_TYPE, nullable=False),
        sa.Column('answered_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('submission_uuid'),
    )
    op.create_index('ix_assessmentscore_form_id_workshop', TABLE, ['form_id', 'workshop', 'participant'])


def downgrade() -> None:
    if TABLE in sa.inspect(op.get_bind()).get_table_names():
        op.drop_index('ix_assessmentscore_form_id_workshop', table_name=TABLE)
        op.drop_table(TABLE)
