"""Second factor for staff: TOTP secret and last accepted step, one-time recovery codes

Revision ID: a16b2c3d4e5f
Revises: fbccbe398186
Create Date: 2026-11-28 07:50:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'a16b2c3d4e5f'
down_revision = 'e17f2a3b4c5d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_ultimo_paso', sa.BigInteger(), nullable=True))
    op.create_table(
        'codigo_recuperacion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('codigo_hash', sa.String(length=64), nullable=False),
        sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
        sa.Column('usado_en', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                                name=op.f('fk_codigo_recuperacion_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_codigo_recuperacion')),
    )
    with op.batch_alter_table('codigo_recuperacion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_codigo_recuperacion_staff_id'), ['staff_id'], unique=False)


def downgrade():
    with op.batch_alter_table('codigo_recuperacion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_codigo_recuperacion_staff_id'))
    op.drop_table('codigo_recuperacion')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('totp_ultimo_paso')
        batch_op.drop_column('totp_secret')
