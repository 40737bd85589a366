"""Evidence coverage: how many actuaciones have their verifier document, and which still lack it
(the grouped SQL is in queries.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..auth.guards import Accion, ensure
from ..extensions import db
from ..models import Participante
from ..pagination import Page, paginate
from ..tableros import services as tableros
from ..validation import Fields
from . import queries
from .prefijos import PREFIJOS


@dataclass
class Cobertura:
    centro_id: int | None
    desde: date
    hasta: date
    filas: list[queries.FilaCobertura]

    @property
    def por_tipo(self) -> list[queries.FilaCobertura]:
        """The network's (or the centre's) rows, one per kind, in the convention's order."""
        totals: dict[str, queries.FilaCobertura] = {}
        for fila in self.filas:
            total = totals.setdefault(fila.tipo, queries.FilaCobertura(
                self.centro_id or 0, fila.tipo, fila.prefijo, 0, 0, 0))
            total.actuaciones += fila.actuaciones
            total.con_documento += fila.con_documento
            total.aprobados += fila.aprobados
        order = list(PREFIJOS)
        return sorted(totals.values(), key=lambda f: order.index(f.prefijo))

    def to_dict(self) -> dict:
        return {
            "centro_id": self.centro_id, "desde": self.desde.isoformat(),
            "hasta": self.hasta.isoformat(),
            "filas": [{"tipo": f.tipo, "prefijo": f.prefijo, "actuaciones": f.actuaciones,
                       "con_documento": f.con_documento, "aprobados": f.aprobados,
                       "faltantes": f.faltantes} for f in self.por_tipo],
        }


def coverage(actor, args: dict) -> Cobertura:
    centro_id, desde, hasta = tableros.parse_request(actor, args)
    rows = db.session.execute(queries.summary_statement(centro_id, desde, hasta)).all()
    filas = [queries.FilaCobertura(r.centro_id, r.tipo, r.prefijo, r.actuaciones,
                                   r.con_documento or 0, r.aprobados or 0) for r in rows]
    return Cobertura(centro_id, desde, hasta, filas)


def missing(actor, args: dict, page: int = 1, per_page: int = 25) -> Page:
    centro_id, desde, hasta = tableros.parse_request(actor, args)
    f = Fields(args)
    prefijo = f.choice("prefijo", PREFIJOS, required=False)
    f.raise_if_errors()
    statement = queries.missing_statement(centro_id, None, desde, hasta, prefijo)
    return paginate(statement, page, per_page, rows=True)


def missing_rows(actor, args: dict):
    """Every missing document of the period, for the CSV (streamed, not paginated)."""
    centro_id, desde, hasta = tableros.parse_request(actor, args)
    f = Fields(args)
    prefijo = f.choice("prefijo", PREFIJOS, required=False)
    f.raise_if_errors()
    return db.session.execute(queries.missing_statement(centro_id, None, desde, hasta, prefijo))


def missing_of_advisor(actor, page: int = 1, per_page: int = 5) -> Page:
    """What this advisor recorded (or registered) that still lacks its document, oldest first."""
    ensure(actor, Accion.VER)
    statement = queries.missing_statement(actor.centro_id, None, None, None, asesor_id=actor.id)
    return paginate(statement, page, per_page, rows=True)


def missing_for_participant(person: Participante) -> dict[int | str, str]:
    """{actuacion_id or "registro": prefijo} for what this person's itinerary still lacks."""
    rows = db.session.execute(queries.missing_statement(None, person.id, None, None)).all()
    return {(r.actuacion_id if r.actuacion_id is not None else queries.REGISTRO): r.prefijo
            for r in rows}
