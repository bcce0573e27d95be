"""staff sessions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

Staff sessions kept on the server: the cookie holds a random id, this table its hash, so
signing out, a new password or a disabled account ends a session everywhere. Cookies made
before this revision carry no such id: their holders are asked to sign in once more.
A database made by `create_all` before migrations has the table already and keeps it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString and other SQLModel types)
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table('staffsession'):
        return
    op.create_table('staffsession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('staffsession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staffsession_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staffsession_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staffsession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staffsession_user_id'))
        batch_op.drop_index(batch_op.f('ix_staffsession_expires_at'))

    op.drop_table('staffsession')
