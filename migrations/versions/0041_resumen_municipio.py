"""resumen_municipio: the monthly summary split by the municipality of the people it counts, so
a breakdown of a row by municipio reads it instead of the row's units

Revision ID: d5a3f2b4c6e7
Revises: e6b4a3c5d7f8
Create Date: 2026-11-28 18:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a3f2b4c6e7'
down_revision = 'e6b4a3c5d7f8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resumen_municipio',
    sa.Column('codigo', sa.String(length=16), nullable=False),
    sa.Column('mes', sa.Date(), nullable=False),
    sa.Column('centro_id', sa.Integer(), nullable=False),
    sa.Column('municipio', sa.String(length=80), nullable=False),
    sa.Column('subregion', sa.String(length=60), nullable=False),
    sa.Column('valor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['centro_id'], ['centro.id'], name=op.f('fk_resumen_municipio_centro_id_centro')),
    sa.PrimaryKeyConstraint('codigo', 'mes', 'centro_id', 'municipio', 'subregion',
                            name=op.f('pk_resumen_municipio'))
    )
    # Filled by `flask tableros-reconstruir` (resumen.rebuild), which a deployment runs after it.


def downgrade():
    op.drop_table('resumen_municipio')
