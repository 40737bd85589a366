"""Legacy bases (importaciones tipo legado): the import's column mapping and data-authorisation
declaration; each row's actuación tipo and fecha

Revision ID: a6d4c3e5f7b8
Revises: c27e8f9a0b1c
Create Date: 2026-11-28 10:43:32.796430

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6d4c3e5f7b8'
down_revision = 'f5c3b2d4e6a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('importacion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mapeo', sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column('autorizacion_datos', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('importacion_fila', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tipo_actuacion', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('fecha', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('importacion_fila', schema=None) as batch_op:
        batch_op.drop_column('fecha')
        batch_op.drop_column('tipo_actuacion')

    with op.batch_alter_table('importacion', schema=None) as batch_op:
        batch_op.drop_column('autorizacion_datos')
        batch_op.drop_column('mapeo')
