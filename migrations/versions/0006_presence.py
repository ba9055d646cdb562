"""proof of presence: evidence, photo fingerprints, settings, reviews; doubtful visits

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('presence_setting',
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('walk_speed_mps', sa.Float(), nullable=False),
    sa.Column('same_zone_m', sa.Float(), nullable=False),
    sa.Column('floor_m', sa.Float(), nullable=False),
    sa.Column('other_zone_m', sa.Float(), nullable=False),
    sa.Column('min_seconds_per_item', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], name=op.f('fk_presence_setting_property_id_property')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_presence_setting_updated_by_id_user')),
    sa.PrimaryKeyConstraint('property_id', name=op.f('pk_presence_setting'))
    )
    op.create_table('presence',
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('label_scanned', sa.Boolean(), nullable=False),
    sa.Column('label_version', sa.Integer(), nullable=True),
    sa.Column('device_scanned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('device_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('device_now', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clock_offset_s', sa.Float(), nullable=True),
    sa.Column('scan_to_submit_s', sa.Float(), nullable=True),
    sa.Column('app_version', sa.String(length=40), nullable=True),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('photos_fresh', sa.Boolean(), nullable=True),
    sa.Column('label_in_photo', sa.Boolean(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('photo_matches', sa.JSON(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_presence_inspection_id_inspection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], name=op.f('fk_presence_property_id_property')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_presence_user_id_user')),
    sa.PrimaryKeyConstraint('inspection_id', name=op.f('pk_presence'))
    )
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.create_index('ix_presence_property_status', ['property_id', 'status'], unique=False)
        batch_op.create_index('ix_presence_device_scanned', ['device_id', 'scanned_at'], unique=False)

    op.create_table('photo_print',
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('dhash', sa.BigInteger(), nullable=False),
    sa.Column('qr_texts', sa.JSON(), nullable=False),
    sa.Column('file_modified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_photo_print_photo_id_photo'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], name=op.f('fk_photo_print_property_id_property')),
    sa.PrimaryKeyConstraint('photo_id', name=op.f('pk_photo_print'))
    )
    op.create_table('photo_band',
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.SmallInteger(), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_photo_band_photo_id_photo'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], name=op.f('fk_photo_band_property_id_property')),
    sa.PrimaryKeyConstraint('photo_id', 'band', name=op.f('pk_photo_band'))
    )
    with op.batch_alter_table('photo_band', schema=None) as batch_op:
        batch_op.create_index('ix_photo_band_lookup', ['property_id', 'band', 'value'], unique=False)

    op.create_table('presence_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('subject_user_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('previous_status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_presence_review_inspection_id_inspection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], name=op.f('fk_presence_review_property_id_property')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_presence_review_reviewer_id_user')),
    sa.ForeignKeyConstraint(['subject_user_id'], ['user.id'], name=op.f('fk_presence_review_subject_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_presence_review'))
    )
    with op.batch_alter_table('presence_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presence_review_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presence_review_subject_user_id'), ['subject_user_id'], unique=False)

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_user_scanned', ['user_id', 'scanned_at'], unique=False)
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standing', sa.String(length=10), server_default='ok', nullable=False))
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_in_photo', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_column('label_in_photo')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('standing')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_user_scanned')
    with op.batch_alter_table('presence_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presence_review_subject_user_id'))
        batch_op.drop_index(batch_op.f('ix_presence_review_inspection_id'))
    op.drop_table('presence_review')
    with op.batch_alter_table('photo_band', schema=None) as batch_op:
        batch_op.drop_index('ix_photo_band_lookup')
    op.drop_table('photo_band')
    op.drop_table('photo_print')
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.drop_index('ix_presence_device_scanned')
        batch_op.drop_index('ix_presence_property_status')
    op.drop_table('presence')
    op.drop_table('presence_setting')
