"""version_datos: the data-quality score's counters (its cells are kept per centre, like the
integrity alerts'; the per-centre rows, "alertas:<centro>", "calidad:<centro>" and
"calidad_personas:<centro>", are created by the first write in each centre)

Revision ID: b3e1d0f2a4c5
Revises: a2d0c9e1f3b4
Create Date: 2026-11-28 18:00:00.000000

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e1d0f2a4c5'
down_revision = 'a2d0c9e1f3b4'
branch_labels = None
depends_on = None


def upgrade():
    table = sa.table('version_datos', sa.column('clave', sa.String), sa.column('valor', sa.BigInteger),
                     sa.column('token', sa.String))
    # A database upgraded with data in it starts with a counter of its own (a fresh token).
    op.bulk_insert(table, [{'clave': clave, 'valor': 0, 'token': uuid.uuid4().hex}
                           for clave in ('calidad', 'calidad_personas')])


def downgrade():
    op.execute("DELETE FROM version_datos WHERE clave LIKE 'calidad%'")
