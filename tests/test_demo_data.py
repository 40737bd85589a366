"""`flask demo-data` makes people that look like the network's: names and municipalities of each
centre's region, plausible ages and documents, itineraries over the last 18 months (never in the
future), seed-capital plans with items, quotes and suppliers, the planted integrity problems the
real alert and duplicate code find, and a table of the demo logins."""
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from cemprende.demo import DEMO_PASSWORD
from cemprende.demo_nombres import municipios_de, region_of
from cemprende.duplicados import queries as duplicados
from cemprende.extensions import db
from cemprende.itinerario.dia import today_bogota
from cemprende.itinerario.tipos import Tipo
from cemprende.microfinanciamiento import alertas
from cemprende.models import (
    Actuacion,
    ActuacionItem,
    CandidatoDuplicado,
    ComiteSesion,
    Cotizacion,
    Participante,
)

PLANTED_ALERTS = {"comite_sin_visita_diagnostico", "sobreprecio", "concentracion_proveedor",
                  "entrega_parcial", "aprobado_sin_entrega", "sin_seguimiento", "cargo_fijo",
                  "entrega_no_confirmada"}


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


def _eighteen_months_before(day: date) -> date:
    months = day.year * 12 + day.month - 1 - 18
    return date(months // 12, months % 12 + 1, min(day.day, 28))


def test_demo_data_looks_like_the_network_and_plants_problems_the_real_code_finds(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--participantes", "70", "--seed", "11"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        today = today_bogota()
        people = list(db.session.scalars(select(Participante)))
        assert len(people) == 70

        # Names, surnames and municipalities of the centre's region.
        for person in people:
            region = region_of(person.centro.departamento, person.centro.ciudad)
            assert person.nombres in region.nombres_f + region.nombres_m, person.nombres
            assert all(word in region.apellidos for word in _surnames(person.apellidos, region)), person.apellidos
            assert person.municipio in municipios_de(person.centro.departamento) + (person.centro.ciudad,)
        regions = {region_of(p.centro.departamento, p.centro.ciudad).nombre for p in people}
        assert len(regions) >= 3

        # Ages within bounds, mostly of working age; minors carry a TI and their guardian.
        ages = [(today - p.fecha_nacimiento).days / 365.25 for p in people]
        assert all(14 <= age < 77 for age in ages)
        assert sum(18 <= age < 61 for age in ages) >= 0.7 * len(ages)
        for person, age in zip(people, ages):
            if age < 18:
                assert person.tipo_documento == "TI" and person.acudiente_nombre
            if person.tipo_documento == "CC":
                assert 7 <= len(person.numero_documento) <= 10
                # The 10-digit series began in 2003: older people hold the 8-digit one.
                if person.fecha_nacimiento.year < 1980:
                    assert len(person.numero_documento) <= 8
        assert {"F", "M"} <= {p.sexo for p in people}

        # Actuaciones dated within the 18 months before today (Bogotá), never after.
        first, last = db.session.execute(select(func.min(Actuacion.fecha), func.max(Actuacion.fecha))).one()
        assert _eighteen_months_before(today) <= first and last <= today
        tipos = Counter(db.session.scalars(select(Actuacion.tipo)))
        assert tipos[Tipo.ENRUTAMIENTO] and tipos[Tipo.DESEMBOLSO] and tipos[Tipo.HOJA_DE_VIDA]

        # Plans with items, quoted by suppliers; comité sittings; deliveries naming a supplier.
        quoted_plans = db.session.scalar(
            select(func.count(func.distinct(Actuacion.id)))
            .join(ActuacionItem, ActuacionItem.actuacion_id == Actuacion.id)
            .join(Cotizacion, Cotizacion.item_id == ActuacionItem.id)
            .where(Actuacion.tipo == Tipo.PLAN_AJUSTADO))
        assert quoted_plans >= 1
        suppliers_per_item = db.session.scalar(
            select(func.max(select(func.count()).where(Cotizacion.item_id == ActuacionItem.id)
                            .scalar_subquery())))
        assert suppliers_per_item >= 2
        assert db.session.scalar(select(func.count()).select_from(ComiteSesion)) >= 1
        entrega = db.session.scalar(select(Actuacion).where(Actuacion.tipo == Tipo.DESEMBOLSO).limit(1))
        assert entrega.datos["proveedor"] and entrega.datos["nit"] and entrega.items

        # Each planted problem is found by the real alert code ...
        found = alertas.compute(None, None, today, alertas.Umbrales(),
                                (date(today.year, 1, 1), date(today.year, 12, 31)))
        assert PLANTED_ALERTS <= {a.tipo for a in found}
        # ... and the duplicates by the real detection, already waiting in the review queue.
        assert {"nombre_fecha", "ti_a_cc", "un_digito"} <= set(duplicados.likely_pairs().values())
        assert db.session.scalar(select(func.count()).select_from(CandidatoDuplicado)) >= 3

    # The logins, printed as a table: username, role and centre; the shared password.
    lines = result.output.splitlines()
    header = next(n for n, line in enumerate(lines) if line.split() == ["Usuario", "Rol", "Centro"])
    rows = {line.split()[0]: line for line in lines[header + 2:] if line.strip()}
    assert "Administrador(a)" in rows["admin"] and "Toda la red" in rows["admin"]
    assert "Supervisor(a) PNUD" in rows["supervisor.pnud"]
    for username, centro in (("director.cartagena", "Cemprende Cartagena"), ("asesor.cartagena", "Cemprende Cartagena"),
                             ("director.ocana", "COEE Ocaña"), ("asesor.ocana", "COEE Ocaña")):
        assert centro in rows[username]
    assert DEMO_PASSWORD in result.output


def _surnames(apellidos: str, region) -> list[str]:
    """The two surnames, some of them of two words (De Ávila)."""
    words, found = apellidos.split(), []
    while words:
        two = " ".join(words[:2])
        found.append(two if two in region.apellidos else words[0])
        words = words[2:] if two in region.apellidos else words[1:]
    return found


def test_a_small_demo_plants_nothing_and_stays_within_its_count(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--participantes", "20", "--seed", "5",
                                                "--hasta", "2026-06-30"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participante)) == 20
        assert duplicados.likely_pairs() == {}
        last = db.session.scalar(select(func.max(Actuacion.fecha)))
        assert last <= date(2026, 6, 30) and last >= date(2026, 6, 30) - timedelta(days=547)
