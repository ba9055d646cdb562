"""each person's inbox: a message per ticket given to them, read or not

Revision ID: 0018_inbox
Revises: 0017_callback_rating
Create Date: 2026-12-03 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_inbox'
down_revision = '0017_callback_rating'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'inbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('property_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('title_zh', sa.String(length=300), nullable=False),
        sa.Column('title_en', sa.String(length=300), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['property_id'], ['property.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['ticket_event.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_inbox_message_user_read', 'inbox_message', ['user_id', 'read_at'])


def downgrade():
    op.drop_index('ix_inbox_message_user_read', table_name='inbox_message')
    op.drop_table('inbox_message')
