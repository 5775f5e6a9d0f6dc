"""library and community: catalogue, preferences, interactions; groups, posts, reactions,
reports, blocks, moderation log, crisis events

Revision ID: library_community_0001
Revises: core_0001
Create Date: 2026-11-22 03:40:07.612533
"""
import sqlalchemy as sa
from alembic import op

import app_backend.db

revision = 'library_community_0001'
# One branch for both modules (see app_backend/README.md), starting from the core.
down_revision = 'core_0001'
branch_labels = ('library_community',)
depends_on = None


def upgrade() -> None:
    op.create_table('community_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('cancer_type', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('topic', sa.String(length=40), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('community_moderation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_moderation_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_moderation_action_moderator_id'), ['moderator_id'], unique=False)

    op.create_table('library_resource',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('cancer_types', sa.JSON(), nullable=False),
    sa.Column('phases', sa.JSON(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('validated_by', sa.String(length=200), nullable=True),
    sa.Column('validated_on', sa.Date(), nullable=True),
    sa.Column('next_review', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('library_resource', schema=None) as batch_op:
        batch_op.create_index('ix_library_resource_language_review', ['language', 'next_review'], unique=False)

    op.create_table('community_block',
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('blocked_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['blocked_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['blocker_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('blocker_id', 'blocked_id')
    )
    with op.batch_alter_table('community_block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_block_blocked_id'), ['blocked_id'], unique=False)

    op.create_table('community_member',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('handle', sa.String(length=30), nullable=False),
    sa.Column('muted_until', app_backend.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('mute_reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id'),
    sa.UniqueConstraint('handle')
    )
    op.create_table('community_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('review_reason', sa.String(length=20), nullable=True),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edited_at', app_backend.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['community_group.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['community_post.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_post', schema=None) as batch_op:
        batch_op.create_index('ix_community_post_author_time', ['author_id', 'created_at'], unique=False)
        batch_op.create_index('ix_community_post_group_time', ['group_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_post_parent_id'), ['parent_id'], unique=False)

    op.create_table('library_interaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['library_resource.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('library_interaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_interaction_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index('ix_library_interaction_user_time', ['user_id', 'at'], unique=False)

    op.create_table('library_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('formats', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('cancer_type', sa.String(length=40), nullable=True),
    sa.Column('phase', sa.String(length=20), nullable=True),
    sa.Column('updated_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('community_crisis_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('matched', sa.JSON(), nullable=False),
    sa.Column('phrase_list_version', sa.Integer(), nullable=False),
    sa.Column('care_team_notified', sa.Boolean(), nullable=False),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['community_post.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_crisis_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_crisis_event_user_id'), ['user_id'], unique=False)

    op.create_table('community_reaction',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['community_post.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'user_id', 'kind')
    )
    with op.batch_alter_table('community_reaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_reaction_user_id'), ['user_id'], unique=False)

    op.create_table('community_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', app_backend.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', app_backend.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['community_post.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('post_id', 'reporter_id', name='uq_community_report_once')
    )
    with op.batch_alter_table('community_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_report_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('ix_community_report_status', ['status', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('community_report', schema=None) as batch_op:
        batch_op.drop_index('ix_community_report_status')
        batch_op.drop_index(batch_op.f('ix_community_report_reporter_id'))

    op.drop_table('community_report')
    with op.batch_alter_table('community_reaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_reaction_user_id'))

    op.drop_table('community_reaction')
    with op.batch_alter_table('community_crisis_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_crisis_event_user_id'))

    op.drop_table('community_crisis_event')
    op.drop_table('library_preference')
    with op.batch_alter_table('library_interaction', schema=None) as batch_op:
        batch_op.drop_index('ix_library_interaction_user_time')
        batch_op.drop_index(batch_op.f('ix_library_interaction_resource_id'))

    op.drop_table('library_interaction')
    with op.batch_alter_table('community_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_post_parent_id'))
        batch_op.drop_index('ix_community_post_group_time')
        batch_op.drop_index('ix_community_post_author_time')

    op.drop_table('community_post')
    op.drop_table('community_member')
    with op.batch_alter_table('community_block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_block_blocked_id'))

    op.drop_table('community_block')
    with op.batch_alter_table('library_resource', schema=None) as batch_op:
        batch_op.drop_index('ix_library_resource_language_review')

    op.drop_table('library_resource')
    with op.batch_alter_table('community_moderation_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_moderation_action_moderator_id'))

    op.drop_table('community_moderation_action')
    op.drop_table('community_group')
