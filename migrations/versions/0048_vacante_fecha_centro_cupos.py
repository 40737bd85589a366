"""vacante: an index on (fecha, centro_id, cupos), so the tablero's row 9 (cupos of the vacantes
dated in the period, per centre) reads the index alone instead of the whole table

Revision ID: f3c5e7a9b1d4
Revises: c9f4e6a8b0d3
Create Date: 2026-11-29 04:04:45.110860

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f3c5e7a9b1d4'
down_revision = 'c9f4e6a8b0d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vacante', schema=None) as batch_op:
        batch_op.create_index('ix_vacante_fecha_centro_cupos', ['fecha', 'centro_id', 'cupos'], unique=False)


def downgrade():
    with op.batch_alter_table('vacante', schema=None) as batch_op:
        batch_op.drop_index('ix_vacante_fecha_centro_cupos')
