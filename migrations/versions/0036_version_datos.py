"""version_datos: per kind of derived result, a counter every write that can change it bumps in
its own transaction (the integrity alerts' cache is keyed by it)

Revision ID: a2d0c9e1f3b4
Revises: d9a7f6b8c0e1
Create Date: 2026-11-28 14:40:00.000000

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2d0c9e1f3b4'
down_revision = 'd9a7f6b8c0e1'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('version_datos',
    sa.Column('clave', sa.String(length=40), nullable=False),
    sa.Column('valor', sa.BigInteger(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('clave', name=op.f('pk_version_datos'))
    )
    # A database upgraded with data in it starts with a counter of its own (a fresh token).
    op.bulk_insert(table, [{'clave': 'alertas', 'valor': 0, 'token': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('version_datos')
