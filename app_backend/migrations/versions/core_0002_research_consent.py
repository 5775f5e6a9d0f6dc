"""core: consent scope (patient-privacy | research); research consents have no recipient

Revision ID: core_0002
Revises: core_0001
"""
import sqlalchemy as sa
from alembic import op

revision = 'core_0002'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), nullable=False,
                                      server_default='patient-privacy'))
        batch_op.alter_column('recipient', existing_type=sa.String(length=80), nullable=True)


def downgrade() -> None:
    op.execute("delete from consent where scope <> 'patient-privacy'")
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=80), nullable=False)
        batch_op.drop_column('scope')
