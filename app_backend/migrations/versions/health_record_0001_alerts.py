"""health record: real-time alerts raised on submission

Revision ID: health_record_0001
Revises: core_0001
"""
import sqlalchemy as sa
from alembic import op

import app_backend.db

revision = 'health_record_0001'
# A module's branch starts from the core revision it needs (see app_backend/README.md).
down_revision = 'core_0001'
branch_labels = ('health_record',)
depends_on = None


def upgrade() -> None:
    op.create_table('realtime_alert',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('rule_id', sa.String(length=40), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('triggered_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('focus', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('realtime_alert', schema=None) as batch_op:
        batch_op.create_index('ix_realtime_alert_patient_time', ['patient_id', 'triggered_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('realtime_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_realtime_alert_patient_time')

    op.drop_table('realtime_alert')
