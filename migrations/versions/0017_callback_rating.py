"""回访 with a 1–5 rating: a rating of 2 or less reopens the ticket to the front desk

Revision ID: 0017_callback_rating
Revises: 0016_ticket_client_uuid
Create Date: 2026-12-03 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_callback_rating'
down_revision = '0016_ticket_client_uuid'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: a batch copy of `ticket` on SQLite would cascade-delete its events.
    op.add_column('ticket', sa.Column('callback_rating', sa.Integer(), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a column in place (no table copy, so no cascade).
    op.drop_column('ticket', 'callback_rating')
