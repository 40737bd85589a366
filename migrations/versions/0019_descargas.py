"""Descargas: the bases prepared in the background (large XLSX files kept 24 h)

Revision ID: b20d2e3f4a5b
Revises: fbccbe398186
Create Date: 2026-11-28 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b20d2e3f4a5b'
down_revision = 'c25c6d7e8f9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'archivo_exportado',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('base', sa.String(length=30), nullable=False),
        sa.Column('formato', sa.String(length=5), nullable=False),
        sa.Column('centro_id', sa.Integer(), nullable=True),
        sa.Column('desde', sa.Date(), nullable=False),
        sa.Column('hasta', sa.Date(), nullable=False),
        sa.Column('columnas', sa.JSON(), nullable=False),
        sa.Column('estado', sa.String(length=12), nullable=False),
        sa.Column('progreso', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('filas', sa.Integer(), nullable=True),
        sa.Column('ruta', sa.String(length=300), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
        sa.Column('terminado_en', sa.DateTime(timezone=True), nullable=True),
        sa.Column('expira_en', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['centro_id'], ['centro.id'], name=op.f('fk_archivo_exportado_centro_id_centro')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_archivo_exportado_staff_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_archivo_exportado')),
    )
    with op.batch_alter_table('archivo_exportado', schema=None) as batch_op:
        batch_op.create_index('ix_archivo_exportado_expira', ['expira_en'], unique=False)
        batch_op.create_index('ix_archivo_exportado_staff_creado', ['staff_id', 'creado_en'], unique=False)


def downgrade():
    with op.batch_alter_table('archivo_exportado', schema=None) as batch_op:
        batch_op.drop_index('ix_archivo_exportado_staff_creado')
        batch_op.drop_index('ix_archivo_exportado_expira')
    op.drop_table('archivo_exportado')
