"""Comité sessions: one acta (ACA) uploaded for the session is evidence for everyone decided in it

A verificador belongs to a participant or to a comité session, never both nor neither.

Revision ID: fbccbe398186
Revises: a5996573f451
Create Date: 2026-11-28 04:48:29.859163

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fbccbe398186'
down_revision = 'a5996573f451'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('verificador', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comite_sesion_id', sa.Integer(), nullable=True))
        batch_op.alter_column('participante_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_verificador_comite_sesion_id'), ['comite_sesion_id'], unique=False)
        batch_op.create_unique_constraint('uq_verificador_sesion_contenido', ['comite_sesion_id', 'sha256'])
        batch_op.create_foreign_key(batch_op.f('fk_verificador_comite_sesion_id_comite_sesion'), 'comite_sesion', ['comite_sesion_id'], ['id'])
        batch_op.create_check_constraint(
            batch_op.f('ck_verificador_de_persona_o_de_sesion'),
            '(participante_id IS NULL) <> (comite_sesion_id IS NULL)')


def downgrade():
    # Session actas have no participant: they cannot survive the NOT NULL (their files stay in
    # the store, and `verificadores-check` reports them).
    op.execute("DELETE FROM verificador WHERE participante_id IS NULL")
    with op.batch_alter_table('verificador', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_verificador_de_persona_o_de_sesion'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_verificador_comite_sesion_id_comite_sesion'), type_='foreignkey')
        batch_op.drop_constraint('uq_verificador_sesion_contenido', type_='unique')
        batch_op.drop_index(batch_op.f('ix_verificador_comite_sesion_id'))
        batch_op.alter_column('participante_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('comite_sesion_id')

