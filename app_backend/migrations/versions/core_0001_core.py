"""core: accounts, care teams, consent, audit, the FHIR resource store, export jobs

Revision ID: core_0001
Revises: 
"""
import sqlalchemy as sa
from alembic import op

import app_backend.db

revision = 'core_0001'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email'),
    sa.UniqueConstraint('patient_id')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recorded', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=1), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=True),
    sa.Column('entity', sa.String(length=300), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=2), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_recorded'), ['recorded'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_audit_patient_time', ['patient_id', 'recorded'], unique=False)

    op.create_table('care_team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('consent',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('module', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=80), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index('ix_consent_lookup', ['patient_id', 'recipient', 'status'], unique=False)

    op.create_table('export_job',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('resource_types', sa.JSON(), nullable=False),
    sa.Column('since', app_backend.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('request_url', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('transaction_time', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', app_backend.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('output', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('fhir_resource',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('resource_type', sa.String(length=40), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=True),
    sa.Column('codes', sa.Text(), nullable=True),
    sa.Column('effective', app_backend.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('last_updated', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('resource', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fhir_resource', schema=None) as batch_op:
        batch_op.create_index('ix_fhir_type_patient_updated', ['resource_type', 'patient_id', 'last_updated'], unique=False)
        batch_op.create_index('ix_fhir_type_updated', ['resource_type', 'last_updated'], unique=False)

    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=True),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('attempted_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempt_client'), ['client'], unique=False)
        batch_op.create_index('ix_login_attempt_email_time', ['email', 'attempted_at'], unique=False)

    op.create_table('care_team_member',
    sa.Column('care_team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['care_team_id'], ['care_team.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('care_team_id', 'user_id')
    )
    with op.batch_alter_table('care_team_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_team_member_user_id'), ['user_id'], unique=False)

    op.create_table('care_team_patient',
    sa.Column('care_team_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['care_team_id'], ['care_team.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('care_team_id', 'patient_id')
    )
    with op.batch_alter_table('care_team_patient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_team_patient_patient_id'), ['patient_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('care_team_patient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_team_patient_patient_id'))

    op.drop_table('care_team_patient')
    with op.batch_alter_table('care_team_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_team_member_user_id'))

    op.drop_table('care_team_member')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_email_time')
        batch_op.drop_index(batch_op.f('ix_login_attempt_client'))

    op.drop_table('login_attempt')
    with op.batch_alter_table('fhir_resource', schema=None) as batch_op:
        batch_op.drop_index('ix_fhir_type_updated')
        batch_op.drop_index('ix_fhir_type_patient_updated')

    op.drop_table('fhir_resource')
    op.drop_table('export_job')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_lookup')

    op.drop_table('consent')
    op.drop_table('care_team')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_patient_time')
        batch_op.drop_index(batch_op.f('ix_audit_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_recorded'))

    op.drop_table('audit_event')
    op.drop_table('app_user')
