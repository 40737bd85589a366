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
    # A database upgraded with data in it starts with a counter of its own (a fresh token). A
    # new release serving writes before the upgrade may have created the rows already (its
    # writers create a missing network row): then they stay as they are.
    for clave in ('calidad', 'calidad_personas'):
        op.get_bind().execute(
            sa.text("INSERT INTO version_datos (clave, valor, token) VALUES (:clave, 0, :token) "
                    "ON CONFLICT (clave) DO NOTHING"),
            {"clave": clave, "token": uuid.uuid4().hex})


def downgrade():
    op.execute("DELETE FROM version_datos WHERE clave LIKE 'calidad%'")
