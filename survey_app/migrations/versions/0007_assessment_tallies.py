"""running pairs and per-question sums of knowledge checks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

The learning results page summed every score row in Python (3.4 s for 100,000 pairs).
assessmentpair keeps each participant's current pre-test and post-test and
assessmentquestiontally each workshop's points per phase and question, both updated in the
transaction that stores the scores (survey_app/assessments/tally.py), and filled here from
the scores already stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _side(phase: str) -> list:
    return [sa.Column(f'{phase}_uuid', AutoString(length=36), nullable=True),
            sa.Column(f'{phase}_lang', AutoString(length=20), nullable=True),
            sa.Column(f'{phase}_percent', sa.Float(), nullable=True),
            sa.Column(f'{phase}_passed', sa.Boolean(), nullable=True)]


def upgrade() -> None:
    from sqlalchemy.orm import Session

    from survey_app.assessments import tally

    connection = op.get_bind()
    inspector = sa.inspect(connection)
    if not inspector.has_table('assessmentpair'):
        op.create_table(
            'assessmentpair',
            sa.Column('form_id', AutoString(length=100), nullable=False),
            sa.Column('workshop', AutoString(length=100), nullable=False),
            sa.Column('participant', AutoString(length=16), nullable=False),
            sa.Column('alone', AutoString(length=36), nullable=False),
            *_side('pre'), *_side('post'),
            sa.PrimaryKeyConstraint('form_id', 'workshop', 'participant', 'alone'))
    if not inspector.has_table('assessmentquestiontally'):
        op.create_table(
            'assessmentquestiontally',
            sa.Column('form_id', AutoString(length=100), nullable=False),
            sa.Column('workshop', AutoString(length=100), nullable=False),
            sa.Column('phase', AutoString(length=4), nullable=False),
            sa.Column('question', AutoString(), nullable=False),
            sa.Column('points', sa.Float(), nullable=False),
            sa.Column('maximum', sa.Float(), nullable=False),
            sa.Column('answered', sa.Integer(), nullable=False),
            sa.Column('full', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('form_id', 'workshop', 'phase', 'question'))
    tally.rebuild(session=Session(bind=connection))


def downgrade() -> None:
    op.drop_table('assessmentquestiontally')
    op.drop_table('assessmentpair')
