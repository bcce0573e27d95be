"""results tallies and answered_at

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The results page reads running counts instead of scanning every submission: two tally
tables, filled here from the submissions already stored (the same counting code as at
ingestion, survey_app.tallies.rebuild). Submission gets answered_at, computed by the
database as coalesce(submitted_at, received_at), indexed with form_id so the newest
written answers are read without sorting the table.

A database stamped at 0001 by start-up may already have these (start-up creates missing
tables from the models), so each step is skipped when its object exists.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString and other SQLModel types)
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_submission_form_id_answered_at'
KEY = ('form_id', 'form_version', 'workshop', 'lang', 'day')


def _key_columns() -> list:
    return [
        sa.Column('form_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('form_version', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('workshop', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
    ]


def upgrade() -> None:
    from survey_app import tallies

    connection = op.get_bind()
    inspector = sa.inspect(connection)
    if 'answered_at' not in {column['name'] for column in inspector.get_columns('submission')}:
        # SQLite can add only a virtual computed column to a table; PostgreSQL only a stored one.
        stored = connection.dialect.name == 'postgresql'
        op.add_column('submission', sa.Column(
            'answered_at', sqlmodel.sql.sqltypes.UTCDateTime(),
            sa.Computed('coalesce(submitted_at, received_at)', persisted=stored or None), nullable=True))
    if INDEX not in {index['name'] for index in inspector.get_indexes('submission')}:
        op.create_index(INDEX, 'submission', ['form_id', 'answered_at', 'id'], unique=False)
    if not inspector.has_table('submissiontally'):
        op.create_table('submissiontally', *_key_columns(),
                        sa.Column('n', sa.Integer(), nullable=False),
                        sa.PrimaryKeyConstraint(*KEY))
    if not inspector.has_table('answertally'):
        op.create_table('answertally', *_key_columns(),
                        sa.Column('question', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
                        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
                        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
                        sa.Column('n', sa.Integer(), nullable=False),
                        sa.PrimaryKeyConstraint(*KEY, 'question', 'kind', 'value'))
    tallies.rebuild(connection=connection)


def downgrade() -> None:
    op.drop_table('answertally')
    op.drop_table('submissiontally')
    op.drop_index(INDEX, table_name='submission')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('answered_at')
