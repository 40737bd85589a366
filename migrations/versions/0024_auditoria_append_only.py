"""Audit rows append-only at the database level: UPDATE refused, DELETE only by the retention
command (flask auditoria-retencion), whose runs are recorded in auditoria_retencion.

Revision ID: b18c2d3e4f5a
Revises: fbccbe398186
Create Date: 2026-11-28 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b18c2d3e4f5a'
down_revision = 'c1e2a3b4d5f6'
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE TRIGGER auditoria_sin_update BEFORE UPDATE ON auditoria BEGIN "
    "SELECT RAISE(ABORT, 'auditoria: solo se anexan filas, no se modifican'); END",
    "CREATE TRIGGER auditoria_sin_delete BEFORE DELETE ON auditoria "
    "WHEN NOT EXISTS (SELECT 1 FROM auditoria_retencion WHERE en_curso) BEGIN "
    "SELECT RAISE(ABORT, 'auditoria: solo flask auditoria-retencion borra filas'); END",
]
POSTGRESQL = [
    """CREATE FUNCTION auditoria_solo_anexar() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM auditoria_retencion WHERE en_curso) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'auditoria: solo se anexan filas (% rechazado; solo flask auditoria-retencion borra)', TG_OP;
END $$""",
    "CREATE TRIGGER auditoria_solo_anexar BEFORE UPDATE OR DELETE ON auditoria "
    "FOR EACH ROW EXECUTE FUNCTION auditoria_solo_anexar()",
]


def upgrade():
    op.create_table(
        'auditoria_retencion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('en', sa.DateTime(timezone=True), nullable=False),
        sa.Column('antes_de', sa.Date(), nullable=False),
        sa.Column('filas', sa.Integer(), nullable=False),
        sa.Column('por', sa.String(length=60), nullable=False),
        sa.Column('en_curso', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auditoria_retencion')),
    )
    statements = POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER auditoria_solo_anexar ON auditoria")
        op.execute("DROP FUNCTION auditoria_solo_anexar()")
    else:
        op.execute("DROP TRIGGER auditoria_sin_delete")
        op.execute("DROP TRIGGER auditoria_sin_update")
    op.drop_table('auditoria_retencion')
