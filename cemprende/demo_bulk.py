"""Demo data at network scale (a million people, millions of actuaciones) in minutes.

The services check every rule one record at a time, which is right for people typing and far too
slow for a million records; this writes rows in bulk instead. The itineraries are built so that
they obey the same rules (order, dates, values), only without calling them.
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from .extensions import db
from .models import Actuacion, Centro, Participante, ParticipantePalabra, Staff, Vacante
from .participantes.services import name_words, search_key
from .tableros import resumen
from . import versiones
from .demo import APELLIDOS, NOMBRES_F, NOMBRES_M, PROGRAMAS
from .itinerario.tipos import ClaseVisita, Decision, Tipo

BATCH = 50_000
RUTAS = ["emprende", "fortalece", "desarrolla", "transforma"]
DESTINOS_REF = list(PROGRAMAS)


class BulkWriter:
    """Buffers rows per table and writes them with executemany (COPY on PostgreSQL)."""

    def __init__(self):
        self.buffers: dict = {}
        self.connection = db.session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"

    def add(self, model, row: dict) -> None:
        buffer = self.buffers.setdefault(model, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()  # every table, parents first (the order they were first added in)

    def flush(self, model=None) -> None:
        for each in [model] if model else list(self.buffers):
            rows = self.buffers.get(each)
            if rows:
                self._write(each, rows)
                self.buffers[each] = []

    def advance_sequences(self, models) -> None:
        """COPY with explicit ids leaves PostgreSQL's id sequences behind; the next insert by the
        application would reuse an id. (SQLite continues from the largest rowid by itself.)"""
        if not self.postgres:
            return
        for model in models:
            table = model.__table__.name
            # The table name comes from the model metadata, never from input (bandit B608).
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")

    def _write(self, model, rows: list[dict]) -> None:
        if not self.postgres:
            self.connection.execute(insert(model), rows)
            return
        columns = list(rows[0])
        table = model.__table__.name
        raw = self.connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_pg(row[c]) for c in columns])


def _pg(value):
    return json.dumps(value) if isinstance(value, dict) else value


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def generate(count: int, seed: int, start: date, end: date, words: bool = True,
             progress: Callable[[int], None] = lambda n: None) -> tuple[int, int]:
    """Adds `count` participants with itineraries dated start..end across every centre."""
    # Bandit B311: reproducible demo data by seed
    rng = random.Random(seed)  # nosec B311
    centros = list(db.session.scalars(select(Centro).where(Centro.abierto_al(end)).order_by(Centro.id)))
    asesores = {s.centro_id: s.id for s in db.session.scalars(select(Staff).where(Staff.rol == "asesor"))}
    if not centros or any(c.id not in asesores for c in centros):
        raise RuntimeError("Cada centro necesita un asesor: ejecute demo-data (pequeño) primero.")
    writer = BulkWriter()
    now = datetime.now(UTC)
    span = (end - start).days
    vacantes = _vacantes(writer, rng, centros, asesores, start, span, now,
                         per_centre=max(60, count // len(centros) // 25))
    vacante_ids = {centro_id: list(free) for centro_id, free in vacantes.items()}
    person_id, act_id = _next_id(Participante), _next_id(Actuacion)
    actuaciones = 0
    for n in range(count):
        centro = centros[n % len(centros)]
        person = _person(rng, person_id, centro.id, asesores[centro.id], now)
        writer.add(Participante, person)
        if words:
            for word in name_words(person["nombre_busqueda"]):
                writer.add(ParticipantePalabra, {"palabra": word, "participante_id": person_id,
                                                 "centro_id": centro.id})
        begin = start + timedelta(days=rng.randint(0, span))
        for tipo, fecha, extra in _itinerary(rng, begin, end, vacante_ids[centro.id], vacantes[centro.id]):
            row = {"id": act_id, "participante_id": person_id, "centro_id": centro.id,
                   "asesor_id": asesores[centro.id], "tipo": tipo, "fecha": fecha,
                   "categoria": None, "valor": None, "vacante_id": None, "autoempleos": None,
                   "directos": None, "datos": {}, "anulada": False, "motivo_anulacion": None,
                   "anulada_en": None, "anulada_por_id": None, "creado_en": now}
            row.update(extra)
            if rng.random() < 0.01:  # a few annulled, as in real life
                row.update(anulada=True, motivo_anulacion="Error de digitación", anulada_en=now,
                           anulada_por_id=asesores[centro.id])
            writer.add(Actuacion, row)
            act_id += 1
            actuaciones += 1
        person_id += 1
        if n % 10_000 == 9_999:
            progress(10_000)
    writer.flush()
    writer.advance_sequences((Vacante, Participante, Actuacion))
    resumen.rebuild()
    versiones.bump_all()  # rows written outside the session's flush
    progress(count % 10_000)
    return count, actuaciones


def _vacantes(writer, rng, centros, asesores, start, span, now, per_centre) -> dict[int, dict[int, int]]:
    """Per centre: vacante id → free cupos, so colocaciones never exceed a vacante's cupos."""
    free: dict[int, dict[int, int]] = {}
    next_id = _next_id(Vacante)
    for centro in centros:
        free[centro.id] = {}
        for _ in range(per_centre):
            cupos = rng.randint(2, 10)
            writer.add(Vacante, {"id": next_id, "centro_id": centro.id, "empresa": "Empresa demo",
                                 "cargo": "Cargo demo", "cupos": cupos,
                                 "fecha": start + timedelta(days=rng.randint(0, span)),
                                 "creado_por_id": asesores[centro.id], "creado_en": now, "version": 1})
            free[centro.id][next_id] = cupos
            next_id += 1
    writer.flush(Vacante)
    return free


def _person(rng, person_id: int, centro_id: int, asesor_id: int, now) -> dict:
    sexo = rng.choices(["F", "M", "I", None], [58, 40, 0.5, 1.5])[0]
    nombres = rng.choice(NOMBRES_F if sexo == "F" else NOMBRES_M)
    apellidos = f"{rng.choice(APELLIDOS)} {rng.choice(APELLIDOS)}"
    dps = rng.random() < 0.35
    return {
        "id": person_id, "centro_id": centro_id, "tipo_documento": "CC",
        "numero_documento": str(2_000_000_000 + person_id), "nombres": nombres, "apellidos": apellidos,
        "nombre_busqueda": search_key(nombres, apellidos), "sexo": sexo,
        "fecha_nacimiento": date(1960, 1, 1) + timedelta(days=rng.randint(0, 16_000)),
        "municipio": "Municipio demo", "telefono": None, "correo": None,
        "etnia": rng.choices(["ninguno", "afrodescendiente", "indigena", "raizal", "rrom", None],
                             [55, 25, 8, 2, 1, 9])[0],
        "discapacidad": rng.random() < 0.07, "desplazamiento": rng.random() < 0.4,
        "tipo_poblacion": rng.choice(["red_unidos", "sisben", "otros_vulnerables", "no_vulnerables", None]),
        "remitido_dps": dps, "programa_dps": "RIE 2013" if dps else None, "consentimiento_datos": True,
        "consentimiento_en": now, "consentimiento_por_id": asesor_id, "consentimiento_version": "demo",
        "creado_en": now, "creado_por_id": asesor_id, "actualizado_en": now, "version": 1,
    }


def _itinerary(rng, day: date, end: date, vacante_ids: list[int],
               free: dict[int, int]) -> Iterator[tuple[str, date, dict]]:
    """About six actuaciones a person, in an order the services would accept."""

    def later(low=0, high=30):
        nonlocal day
        day = day + timedelta(days=rng.randint(low, high))
        return day <= end

    yield Tipo.CARACTERIZACION, day, {}
    yield Tipo.ACTA_COMPROMISO, day, {}
    if rng.random() < 0.3 and later(0, 20):  # characterisation completed on a second visit
        yield Tipo.CARACTERIZACION, day, {}
    if not later(0, 10):
        return
    destino = "emprendimiento" if rng.random() < 0.55 else "empleabilidad"
    yield Tipo.ENRUTAMIENTO, day, {"categoria": destino}
    if rng.random() < 0.25 and later(0, 30):
        yield Tipo.REFERENCIACION, day, {"categoria": rng.choice(DESTINOS_REF)}
    if destino == "emprendimiento":
        if not later(0, 15):
            return
        yield Tipo.INGRESO_RUTA, day, {"categoria": rng.choices(RUTAS, [50, 30, 15, 5])[0]}
        if rng.random() < 0.08 and later(5, 60):
            yield Tipo.DESISTIMIENTO, day, {}
            return
        if rng.random() < 0.6 and later(5, 30):
            yield Tipo.PERFIL_PROYECTO, day, {}
            if rng.random() < 0.5 and later(10, 40):
                valor = rng.randint(8, 30) * 100_000
                yield Tipo.PLAN_NEGOCIO, day, {"valor": valor}
                if rng.random() < 0.6 and later(3, 20):
                    yield Tipo.VISITA_ACOMPANAMIENTO, day, {"categoria": ClaseVisita.DIAGNOSTICO}
                    yield Tipo.PLAN_AJUSTADO, day, {"valor": valor}
                    if later(5, 30):
                        decision = rng.choices([Decision.APROBADO, Decision.RECHAZADO, Decision.APLAZADO], [75, 10, 15])[0]
                        yield Tipo.COMITE, day, {"categoria": decision, "valor": valor}
                        if decision == Decision.APROBADO and later(10, 60):
                            yield Tipo.FINANCIACION, day, {"categoria": "directo", "valor": valor}
                            yield Tipo.DESEMBOLSO, day, {"valor": valor}
                            yield Tipo.PLAN_IMPLEMENTADO, day, {}
                            if later(20, 90):
                                yield Tipo.VISITA_ACOMPANAMIENTO, day, {"categoria": ClaseVisita.SEGUIMIENTO}
                                yield Tipo.EMPLEO_GENERADO, day, {"autoempleos": 1, "directos": rng.randint(0, 2)}
    else:
        if rng.random() < 0.6 and later(3, 30):
            yield Tipo.CAPACITACION_FIS, day, {}
        if later(1, 20):
            yield Tipo.HOJA_DE_VIDA, day, {"categoria": rng.choice(["spe", "ape_sena"])}
            if rng.random() < 0.5 and later(2, 30):
                vacante = rng.choice(vacante_ids)
                yield Tipo.REMISION_SELECCION, day, {"vacante_id": vacante}
                if rng.random() < 0.15 and free[vacante] > 0 and later(5, 30):
                    free[vacante] -= 1
                    yield Tipo.COLOCACION, day, {"vacante_id": vacante}
