"""Month close: each centre's closed months and the figures frozen at every close

Revision ID: c1e2a3b4d5f6
Revises: fbccbe398186
Create Date: 2026-11-28 07:29:19.772817

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1e2a3b4d5f6'
down_revision = 'c26d7e8f9a0b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cierre_mes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mes', sa.Date(), nullable=False),
    sa.Column('estado', sa.String(length=12), nullable=False),
    sa.Column('ronda', sa.Integer(), nullable=False),
    sa.Column('cerrado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cerrado_por_id', sa.Integer(), nullable=False),
    sa.Column('revisado_en', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revisado_por_id', sa.Integer(), nullable=True),
    sa.Column('motivo', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('centro_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centro_id'], ['centro.id'], name=op.f('fk_cierre_mes_centro_id_centro')),
    sa.ForeignKeyConstraint(['cerrado_por_id'], ['staff.id'], name=op.f('fk_cierre_mes_cerrado_por_id_staff')),
    sa.ForeignKeyConstraint(['revisado_por_id'], ['staff.id'], name=op.f('fk_cierre_mes_revisado_por_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cierre_mes')),
    sa.UniqueConstraint('centro_id', 'mes', name='uq_cierre_mes_centro_mes')
    )
    with op.batch_alter_table('cierre_mes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cierre_mes_centro_id'), ['centro_id'], unique=False)

    op.create_table('cierre_cifra',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cierre_id', sa.Integer(), nullable=False),
    sa.Column('ronda', sa.Integer(), nullable=False),
    sa.Column('ventana', sa.String(length=10), nullable=False),
    sa.Column('desde', sa.Date(), nullable=False),
    sa.Column('hasta', sa.Date(), nullable=False),
    sa.Column('codigo', sa.String(length=10), nullable=False),
    sa.Column('valor', sa.BigInteger(), nullable=True),
    sa.Column('meta', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['cierre_id'], ['cierre_mes.id'], name=op.f('fk_cierre_cifra_cierre_id_cierre_mes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cierre_cifra')),
    sa.UniqueConstraint('cierre_id', 'ronda', 'ventana', 'codigo', name='uq_cierre_cifra')
    )
    with op.batch_alter_table('cierre_cifra', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cierre_cifra_cierre_id'), ['cierre_id'], unique=False)



def downgrade():
    with op.batch_alter_table('cierre_cifra', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cierre_cifra_cierre_id'))

    op.drop_table('cierre_cifra')
    with op.batch_alter_table('cierre_mes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cierre_mes_centro_id'))

    op.drop_table('cierre_mes')
