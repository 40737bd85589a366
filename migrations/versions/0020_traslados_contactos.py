"""Transfers between centres (traslado) and contact attempts of remitted people (contacto_intento)

Revision ID: e17f2a3b4c5d
Revises: fbccbe398186
Create Date: 2026-11-28 07:28:55.452943

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e17f2a3b4c5d'
down_revision = 'b20d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('contacto_intento',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('participante_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fecha', sa.Date(), nullable=False),
    sa.Column('medio', sa.String(length=12), nullable=False),
    sa.Column('resultado', sa.String(length=16), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('observacion', sa.Text(), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('centro_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centro_id'], ['centro.id'], name=op.f('fk_contacto_intento_centro_id_centro')),
    sa.ForeignKeyConstraint(['participante_id'], ['participante.id'], name=op.f('fk_contacto_intento_participante_id_participante')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_contacto_intento_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacto_intento'))
    )
    with op.batch_alter_table('contacto_intento', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacto_intento_centro_id'), ['centro_id'], unique=False)
        batch_op.create_index('ix_contacto_intento_participante_fecha', ['participante_id', 'fecha', 'id'], unique=False)

    op.create_table('traslado',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participante_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('centro_origen_id', sa.Integer(), nullable=False),
    sa.Column('centro_destino_id', sa.Integer(), nullable=False),
    sa.Column('motivo', sa.Text(), nullable=False),
    sa.Column('estado', sa.String(length=12), nullable=False),
    sa.Column('solicitado_por_id', sa.Integer(), nullable=False),
    sa.Column('solicitado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('respondido_por_id', sa.Integer(), nullable=True),
    sa.Column('respondido_en', sa.DateTime(timezone=True), nullable=True),
    sa.Column('respuesta_motivo', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['centro_destino_id'], ['centro.id'], name=op.f('fk_traslado_centro_destino_id_centro')),
    sa.ForeignKeyConstraint(['centro_origen_id'], ['centro.id'], name=op.f('fk_traslado_centro_origen_id_centro')),
    sa.ForeignKeyConstraint(['participante_id'], ['participante.id'], name=op.f('fk_traslado_participante_id_participante')),
    sa.ForeignKeyConstraint(['respondido_por_id'], ['staff.id'], name=op.f('fk_traslado_respondido_por_id_staff')),
    sa.ForeignKeyConstraint(['solicitado_por_id'], ['staff.id'], name=op.f('fk_traslado_solicitado_por_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_traslado'))
    )
    with op.batch_alter_table('traslado', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_traslado_centro_destino_id'), ['centro_destino_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_traslado_centro_origen_id'), ['centro_origen_id'], unique=False)
        batch_op.create_index('ix_traslado_estado_participante', ['estado', 'participante_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_traslado_participante_id'), ['participante_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('traslado', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_traslado_participante_id'))
        batch_op.drop_index('ix_traslado_estado_participante')
        batch_op.drop_index(batch_op.f('ix_traslado_centro_origen_id'))
        batch_op.drop_index(batch_op.f('ix_traslado_centro_destino_id'))

    op.drop_table('traslado')
    with op.batch_alter_table('contacto_intento', schema=None) as batch_op:
        batch_op.drop_index('ix_contacto_intento_participante_fecha')
        batch_op.drop_index(batch_op.f('ix_contacto_intento_centro_id'))

    op.drop_table('contacto_intento')

