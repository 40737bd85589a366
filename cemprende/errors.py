"""Domain errors raised by services and turned into pages or API answers in one place."""
from __future__ import annotations


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
