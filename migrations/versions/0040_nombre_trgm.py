"""PostgreSQL: a trigram index on " " + participante.nombre_busqueda (extension pg_trgm), for the
network's name search by several words

Revision ID: e6b4a3c5d7f8
Revises: c4f2e1a3b5d6
Create Date: 2026-11-28 18:15:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e6b4a3c5d7f8'
down_revision = 'c4f2e1a3b5d6'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.execute("CREATE INDEX ix_participante_nombre_trgm ON participante "
               "USING gin ((' ' || nombre_busqueda) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX ix_participante_nombre_trgm')
