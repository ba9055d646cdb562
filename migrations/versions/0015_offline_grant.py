"""offline login: keys a phone keeps to reopen the session of someone who logged in offline

Revision ID: 0015_offline_grant
Revises: 0011_login_throttle
Create Date: 2026-12-02 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_offline_grant'
down_revision = '0011_login_throttle'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offline_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_offline_grant_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_grant')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_offline_grant_key_hash'))
    )
    with op.batch_alter_table('offline_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_grant_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_grant_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('offline_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_grant_user_id'))
        batch_op.drop_index(batch_op.f('ix_offline_grant_expires_at'))

    op.drop_table('offline_grant')
