"""one open ticket per checkpoint and item: a unique partial index

Revision ID: 0010_one_open_ticket
Revises: 0008
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_one_open_ticket'
down_revision = '0008'
branch_labels = None
depends_on = None

OPEN_WHERE = sa.text(
    "status IN ('new', 'accepted', 'in_progress', 'resolved', 'verified', 'reopened')"
)


def upgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(
            'uq_ticket_one_open_item',
            ['checkpoint_id', 'item_key'],
            unique=True,
            sqlite_where=OPEN_WHERE,
            postgresql_where=OPEN_WHERE,
        )


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('uq_ticket_one_open_item')
