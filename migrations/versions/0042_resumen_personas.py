"""resumen_personas: the data-quality score's people cells (people registered per centre,
advisor and month; those with an incomplete characterisation; those whose registration has its
document), kept with every write by calidad/resumen.py; filled here from the existing people
(`flask tableros-reconstruir` rebuilds it the same way)

Revision ID: f7c5b4d6e8a9
Revises: d5a3f2b4c6e7
Create Date: 2026-11-28 21:33:54.769743

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7c5b4d6e8a9'
down_revision = 'd5a3f2b4c6e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resumen_personas',
    sa.Column('centro_id', sa.Integer(), nullable=False),
    sa.Column('asesor_id', sa.Integer(), nullable=False),
    sa.Column('mes', sa.String(length=7), nullable=False),
    sa.Column('personas', sa.BigInteger(), nullable=False),
    sa.Column('sin_caracterizacion', sa.BigInteger(), nullable=False),
    sa.Column('con_documento', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['centro_id'], ['centro.id'], name=op.f('fk_resumen_personas_centro_id_centro')),
    sa.PrimaryKeyConstraint('centro_id', 'asesor_id', 'mes', name=op.f('pk_resumen_personas'))
    )
    # What calidad/resumen.py's `contributions` computes, frozen here as SQL of this revision.
    if op.get_bind().dialect.name == "postgresql":
        mes = "to_char((timezone('America/Bogota', p.creado_en))::date, 'YYYY-MM')"
    else:
        mes = "strftime('%Y-%m', date(p.creado_en, '-5 hours'))"
    op.execute(f"""
        INSERT INTO resumen_personas (centro_id, asesor_id, mes, personas, sin_caracterizacion,
                                      con_documento)
        SELECT p.centro_id, coalesce(p.creado_por_id, 0), {mes}, count(*),
               sum(CASE WHEN p.sexo IS NULL OR p.fecha_nacimiento IS NULL OR p.municipio IS NULL
                             OR p.tipo_poblacion IS NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN EXISTS (SELECT 1 FROM verificador v WHERE v.participante_id = p.id
                                     AND v.prefijo = 'CC' AND v.estado_revision != 'rechazado')
                        THEN 1 ELSE 0 END)
        FROM participante p WHERE p.centro_id IS NOT NULL
        GROUP BY p.centro_id, coalesce(p.creado_por_id, 0), {mes}""")  # nosec B608


def downgrade():
    op.drop_table('resumen_personas')
