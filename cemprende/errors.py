"""Domain errors raised by services and turned into pages or API answers in one place."""
from __future__ import annotations

import re

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError


class DomainError(Exception):
    status = 422
    code = "regla"

    def __init__(self, message: str, fields: dict[str, str] | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra

    def to_dict(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        error.update(self.extra)
        return {"error": error}


class ValidationFailed(DomainError):
    status = 422
    code = "validacion"

    def __init__(self, fields: dict[str, str], message: str = "Revise los datos marcados."):
        super().__init__(message, fields)


class Malformed(DomainError):
    status = 400
    code = "solicitud_invalida"


class NotFound(DomainError):
    """Also what a record of another centre answers, so ids reveal nothing."""

    status = 404
    code = "no_encontrado"

    def __init__(self, message: str = "No encontrado."):
        super().__init__(message)


class Forbidden(DomainError):
    status = 403
    code = "prohibido"

    def __init__(self, message: str = "Su rol no permite esta acción."):
        super().__init__(message)


class Conflict(DomainError):
    status = 409
    code = "conflicto"


class StaleVersion(Conflict):
    code = "version_desactualizada"

    def __init__(self):
        super().__init__(
            "Otra persona modificó este registro mientras usted lo editaba. "
            "Recargue la página para ver los datos actuales y vuelva a aplicar sus cambios."
        )


class Duplicate(Conflict):
    code = "duplicado"


# Unique constraints a race can break (both requests checked, neither saw the other's row yet):
# the answer the losing request gets. Any other unique constraint answers the generic message.
UNIQUE_ANSWERS = {
    "uq_participante_documento": (
        "Ya existe una persona registrada con ese documento.",
        {"numero_documento": "Documento ya registrado."}),
    "uq_centro_nombre": ("Ya existe un centro con ese nombre.", {"nombre": "Nombre ya registrado."}),
    "uq_convenio_nombre": ("Ya existe un convenio o cuatrienio con ese nombre.",
                           {"nombre": "Nombre ya registrado."}),
    "uq_staff_username": ("Ese nombre de usuario ya existe.", {"username": "Usuario ya registrado."}),
    "uq_programa_centro_nombre": ("Ese programa ya existe en el centro.",
                                  {"nombre": "Programa ya registrado."}),
}
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")


def _unique_constraint_name(error: IntegrityError) -> str | None:
    """The name of the unique constraint an INSERT or UPDATE broke, on either engine; None when
    the error is not a unique violation (a foreign key or NOT NULL one is a bug, not a race)."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) == "23505":  # psycopg
        return getattr(orig.diag, "constraint_name", None) or ""
    match = _SQLITE_UNIQUE.search(str(orig))
    if match is None:
        return None
    columns = [c.strip() for c in match.group(1).split(",")]
    table = columns[0].split(".")[0]
    names = {c.split(".", 1)[-1] for c in columns}
    from_metadata = _UNIQUE_BY_COLUMNS.get((table, frozenset(names)))
    return from_metadata or ""


_UNIQUE_BY_COLUMNS: dict[tuple[str, frozenset], str] = {}


def learn_unique_constraints(metadata) -> None:
    """Lets SQLite's message (which names columns, not constraints) find the constraint."""
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint) and constraint.name:
                _UNIQUE_BY_COLUMNS[(table.name, frozenset(c.name for c in constraint.columns))] = \
                    str(constraint.name)
        for column in table.columns:
            if column.unique:
                _UNIQUE_BY_COLUMNS.setdefault((table.name, frozenset({column.name})),
                                              f"uq_{table.name}_{column.name}")


class Contended(Conflict):
    code = "operacion_concurrente"

    def __init__(self):
        super().__init__("Otra operación sobre los mismos datos se estaba guardando al mismo tiempo; "
                         "no se guardó nada de la suya. Intente de nuevo.")


# PostgreSQL's SQLSTATEs for a transaction the server gave up on because of another one:
# deadlock_detected, serialization_failure, lock_not_available (a lock_timeout that expired).
LOST_TO_ANOTHER_TRANSACTION = ("40P01", "40001", "55P03")


def _lost_to_another_transaction(error: OperationalError) -> bool:
    orig = error.orig
    if getattr(orig, "sqlstate", None) in LOST_TO_ANOTHER_TRANSACTION:
        return True
    # SQLite: the busy timeout expired while another connection held the write lock.
    return type(orig).__module__.startswith("sqlite3") and "database is locked" in str(orig).lower()


def conflict_from_database(error: Exception) -> DomainError | None:
    """The 409 a request that lost a race gets, from the database error it met; None for any
    other database error (which stays a 500)."""
    if isinstance(error, StaleDataError):
        return StaleVersion()
    if isinstance(error, OperationalError):
        return Contended() if _lost_to_another_transaction(error) else None
    if isinstance(error, IntegrityError):
        name = _unique_constraint_name(error)
        if name is None:
            return None
        message, fields = UNIQUE_ANSWERS.get(name, (
            "Otro registro con los mismos datos acaba de guardarse. Recargue la página y revise.",
            {}))
        return Duplicate(message, fields)
    return None


INT4_MAX = 2 ** 31 - 1  # PostgreSQL INTEGER: the id columns that are not BIGINT


class NumberOutOfRange(DomainError):
    status = 422
    code = "numero_fuera_de_rango"


def out_of_range_from_database(error: Exception, path_ids) -> DomainError | None:
    """A number too large for its PostgreSQL column (SQLSTATE 22003) that validation let through
    (ids are checked against BIGINT, yet several id columns are INTEGER): a path id beyond the
    column names nothing (404); any other number is refused (422). None for other errors."""
    if getattr(getattr(error, "orig", None), "sqlstate", None) != "22003":
        return None
    if any(isinstance(value, int) and value > INT4_MAX for value in path_ids):
        return NotFound()
    return NumberOutOfRange("Un número enviado supera el máximo que se puede guardar.")
