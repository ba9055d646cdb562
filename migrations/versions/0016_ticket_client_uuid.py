"""ticket steps and reports queued offline: a client UUID each, so a resend is taken once

Revision ID: 0016_ticket_client_uuid
Revises: 0015_offline_grant
Create Date: 2026-12-02 23:58:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_ticket_client_uuid'
down_revision = '0015_offline_grant'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN and CREATE INDEX: a batch copy of `ticket` on SQLite would drop the old
    # table, and its ON DELETE CASCADE would take every ticket event with it.
    for table in ('ticket', 'ticket_event'):
        op.add_column(table, sa.Column('client_uuid', sa.String(length=36), nullable=True))
        op.create_index(f'ix_{table}_client_uuid', table, ['client_uuid'], unique=True)


def downgrade():
    for table in ('ticket_event', 'ticket'):
        op.drop_index(f'ix_{table}_client_uuid', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('client_uuid')
