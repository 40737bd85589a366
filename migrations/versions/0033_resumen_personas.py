"""Distinct-person tablero rows summarised: the summary's row codes widened to hold
"<row>|<previous active month>" and filled from the actuaciones; a centre-first index

Revision ID: d9a7f6b8c0e1
Revises: c8f6e5a7b9d0
Create Date: 2026-11-28 14:20:00

The rows that count distinct persons (2.x, 7, 8, 10, 17.x) are kept in resumen_diario /
resumen_mensual as (person, month) pairs: per centre, the day of the person's first actuación of
the row in the month, under the code "<row>|<YYYY-MM of their previous active month>" ("<row>|"
for none); cemprende/tableros/queries.py explains why that counts each person exactly once. The
rows below are the registry's Personas rows as of this revision; a later change of a row's
definition rebuilds the summary (flask tableros-reconstruir), as for every summarised row.
"""
from alembic import op
import sqlalchemy as sa


revision = 'd9a7f6b8c0e1'
down_revision = 'c8f6e5a7b9d0'
branch_labels = None
depends_on = None

PERSONAS = [  # (row, tipo, categoria)
    ("2.1", "referenciacion", "terceros"), ("2.2", "referenciacion", "gobierno_local"),
    ("2.3", "referenciacion", "gobierno_nacional"), ("2.4", "referenciacion", "dps"),
    ("2.5", "referenciacion", "otras_entidades_nacionales"), ("2.6", "referenciacion", "otros"),
    ("7", "capacitacion_fis", None), ("8", "hoja_de_vida", None), ("10", "remision_seleccion", None),
    ("17.1", "visita_acompanamiento", "seguimiento"), ("17.2", "fortalecimiento_sede", None),
    ("17.3", "formalizacion", None),
]


def _pairs_sql(postgres: bool) -> str:
    month = "to_char(fecha, 'YYYY-MM')" if postgres else "substr(fecha, 1, 7)"
    cases = " ".join(
        f"WHEN tipo = '{tipo}'" + (f" AND categoria = '{categoria}'" if categoria else "") + f" THEN '{row}'"
        for row, tipo, categoria in PERSONAS)
    tipos = ", ".join(sorted({f"'{tipo}'" for _, tipo, _ in PERSONAS}))
    # Constant SQL built from the literals above, never from input (bandit B608).
    return f"""
        SELECT codigo || '|' || coalesce(previo, '') AS codigo, primera, centro_id, count(*) AS valor
        FROM (SELECT codigo, centro_id, primera,
                     lag(mes) OVER (PARTITION BY codigo, participante_id, centro_id ORDER BY mes) AS previo
              FROM (SELECT CASE {cases} END AS codigo, participante_id, centro_id, {month} AS mes,
                           min(fecha) AS primera
                    FROM actuacion
                    WHERE anulada = false AND tipo IN ({tipos})
                    GROUP BY 1, participante_id, centro_id, {month}) AS pares
              WHERE codigo IS NOT NULL) AS seguidos
        GROUP BY 1, primera, centro_id"""  # nosec B608


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in ("resumen_diario", "resumen_mensual"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("codigo", existing_type=sa.String(length=10), type_=sa.String(length=16),
                                  existing_nullable=False)
    op.create_index("ix_resumen_diario_centro", "resumen_diario", ["centro_id", "codigo", "fecha", "valor"])
    op.create_index("ix_resumen_mensual_centro", "resumen_mensual", ["centro_id", "codigo", "mes", "valor"])
    pairs = _pairs_sql(postgres)
    op.execute(f"INSERT INTO resumen_diario (codigo, fecha, centro_id, valor) {pairs}")  # nosec B608
    month_start = "date_trunc('month', fecha)::date" if postgres else "substr(fecha, 1, 7) || '-01'"
    op.execute(f"""INSERT INTO resumen_mensual (codigo, mes, centro_id, valor)
                   SELECT codigo, {month_start}, centro_id, sum(valor) FROM resumen_diario
                   WHERE codigo LIKE '%|%' GROUP BY codigo, {month_start}, centro_id""")  # nosec B608


def downgrade():
    op.drop_index("ix_resumen_mensual_centro", table_name="resumen_mensual")
    op.drop_index("ix_resumen_diario_centro", table_name="resumen_diario")
    op.execute("DELETE FROM resumen_diario WHERE codigo LIKE '%|%'")
    op.execute("DELETE FROM resumen_mensual WHERE codigo LIKE '%|%'")
    for table in ("resumen_diario", "resumen_mensual"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("codigo", existing_type=sa.String(length=16), type_=sa.String(length=10),
                                  existing_nullable=False)
