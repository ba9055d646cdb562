"""one open ticket per checkpoint and item: a unique partial index

Revision ID: 0010_one_open_ticket
Revises: 0009_sessions
Create Date: 2026-12-02 14:20:00

Duplicates already raised by the race are merged first: the oldest open ticket of each
checkpoint and item stays open, the later ones are closed as merged into it, with an event.

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_one_open_ticket'
down_revision = '0009_sessions'
branch_labels = None
depends_on = None

OPEN_WHERE = sa.text(
    "status IN ('new', 'accepted', 'in_progress', 'resolved', 'verified', 'reopened')"
)


OPEN_STATUSES = ('new', 'accepted', 'in_progress', 'resolved', 'verified', 'reopened')

ticket = sa.table(
    'ticket',
    sa.column('id', sa.Integer),
    sa.column('number', sa.String),
    sa.column('status', sa.String),
    sa.column('checkpoint_id', sa.Integer),
    sa.column('item_key', sa.String),
    sa.column('repeat_count', sa.Integer),
    sa.column('closed_at', sa.DateTime(timezone=True)),
    sa.column('updated_at', sa.DateTime(timezone=True)),
)
ticket_event = sa.table(
    'ticket_event',
    sa.column('ticket_id', sa.Integer),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('action', sa.String),
    sa.column('from_status', sa.String),
    sa.column('to_status', sa.String),
    sa.column('note', sa.Text),
    sa.column('details', sa.JSON),
)


def _merge_duplicates():
    conn = op.get_bind()
    now = datetime.now(timezone.utc)
    rows = conn.execute(
        sa.select(ticket.c.id, ticket.c.number, ticket.c.status, ticket.c.checkpoint_id, ticket.c.item_key)
        .where(
            ticket.c.status.in_(OPEN_STATUSES),
            ticket.c.checkpoint_id.is_not(None),
            ticket.c.item_key.is_not(None),
        )
        .order_by(ticket.c.checkpoint_id, ticket.c.item_key, ticket.c.id)
    ).all()
    keeper = {}
    for id_, number, status, checkpoint_id, item_key in rows:
        key = (checkpoint_id, item_key)
        if key not in keeper:
            keeper[key] = (id_, number)
            continue
        into_id, into_number = keeper[key]
        conn.execute(
            ticket.update().where(ticket.c.id == id_).values(status='closed', closed_at=now, updated_at=now)
        )
        conn.execute(
            ticket.update()
            .where(ticket.c.id == into_id)
            .values(repeat_count=ticket.c.repeat_count + 1, updated_at=now)
        )
        conn.execute(
            ticket_event.insert().values(
                ticket_id=id_,
                created_at=now,
                action='close',
                from_status=status,
                to_status='closed',
                note=f'重复工单，已并入 {into_number} / Duplicate, merged into {into_number}',
                details={'merged_into': into_id},
            )
        )


def upgrade():
    _merge_duplicates()
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
