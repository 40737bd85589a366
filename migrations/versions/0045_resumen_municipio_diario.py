"""resumen_municipio_diario: resumen_diario split by the municipality of the people it counts
(resumen_municipio per day), so a breakdown by municipio of a period cut mid-month reads its
loose days instead of counting them from the actuaciones; filled here from the existing
actuaciones (`flask tableros-reconstruir` rebuilds it the same way)

Revision ID: c9f4e6a8b0d3
Revises: a7d2c4e6f8b1
Create Date: 2026-11-29 02:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9f4e6a8b0d3'
down_revision = 'a7d2c4e6f8b1'
branch_labels = None
depends_on = None

COLUMNS = ("codigo", "fecha", "centro_id", "municipio", "subregion")


def upgrade():
    table = op.create_table('resumen_municipio_diario',
    sa.Column('codigo', sa.String(length=16), nullable=False),
    sa.Column('fecha', sa.Date(), nullable=False),
    sa.Column('centro_id', sa.Integer(), nullable=False),
    sa.Column('municipio', sa.String(length=80), nullable=False),
    sa.Column('subregion', sa.String(length=60), nullable=False),
    sa.Column('valor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['centro_id'], ['centro.id'], name=op.f('fk_resumen_municipio_diario_centro_id_centro')),
    sa.PrimaryKeyConstraint('codigo', 'fecha', 'centro_id', 'municipio', 'subregion',
                            name=op.f('pk_resumen_municipio_diario'))
    )
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT 1 FROM actuacion LIMIT 1")).first() is None:
        return  # a new database: nothing to fill
    for rows in _contributions(connection):
        connection.execute(sa.insert(table), rows)


def _contributions(connection):
    """What the table must hold, computed by the application's own per-day queries (the rows'
    conditions live in the tableros' registry, not in SQL that could be frozen here), run on this
    migration's connection and transaction; in chunks of 20,000 rows. Should a later change of
    those queries stop this from running on an old database, this fill can be dropped (the table
    left empty): a breakdown then finds that its days do not add up to the row and counts them
    live until `flask tableros-reconstruir` fills it."""
    from sqlalchemy.orm import Session

    from cemprende.extensions import db
    from cemprende.tableros import resumen

    registry = db.session.registry
    previous = registry() if registry.has() else None
    session = Session(bind=connection)
    registry.set(session)
    try:
        days = resumen.contributions_by_municipio_per_day()
    finally:
        session.close()
        if previous is not None:
            registry.set(previous)
        else:
            registry.clear()
    chunk = []
    while days:  # built chunk by chunk, emptying the dict: never every row twice in memory
        key, value = days.popitem()
        chunk.append(dict(zip(COLUMNS, key), valor=value))
        if len(chunk) == 20_000 or not days:
            yield chunk
            chunk = []


def downgrade():
    op.drop_table('resumen_municipio_diario')
