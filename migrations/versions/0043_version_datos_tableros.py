"""version_datos: the tableros' counters (their figures are kept per centre and period, like the
integrity alerts'; the per-centre rows, "tableros:<centro>", are created by the first write in
each centre)

Revision ID: a7d2c4e6f8b1
Revises: f7c5b4d6e8a9
Create Date: 2026-11-29 01:30:00.000000

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d2c4e6f8b1'
down_revision = 'f7c5b4d6e8a9'
branch_labels = None
depends_on = None


def upgrade():
    # A database upgraded with data in it starts with a counter of its own (a fresh token): the
    # figures are kept from the first request, not only after the first write. A new release
    # serving writes before the upgrade may have created the row already: then it stays.
    op.get_bind().execute(
        sa.text("INSERT INTO version_datos (clave, valor, token) VALUES (:clave, 0, :token) "
                "ON CONFLICT (clave) DO NOTHING"),
        {"clave": "tableros", "token": uuid.uuid4().hex})


def downgrade():
    op.execute("DELETE FROM version_datos WHERE clave = 'tableros' OR clave LIKE 'tableros:%'")
