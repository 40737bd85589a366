"""All models, imported here so Alembic and the app see the whole schema."""
from .actuacion import Actuacion, ActuacionItem
from .auditoria import Auditoria, AuditoriaRetencion
from .base import CentroOwned
from .centro import Centro
from .comite import ComiteDecision, ComiteSesion, ControlInversionItem
from .formacion import AsistenciaFis, CursoFis, SesionFis
from .meta import Meta, ResumenDiario, ResumenMensual, Vigencia
from .negocio import UnidadProductiva
from .participante import Participante, ParticipantePalabra
from .referencia import ProgramaReferencia, Referencia
from .staff import ApiToken, Staff
from .vacante import Vacante
from .verificador import CargaVerificadores, Verificador

__all__ = [
    "Actuacion", "ActuacionItem", "AsistenciaFis", "CursoFis", "SesionFis", "ApiToken", "Auditoria", "AuditoriaRetencion", "Centro", "ComiteDecision", "ComiteSesion", "ControlInversionItem", "CentroOwned", "Meta", "ResumenDiario", "ResumenMensual", "Vigencia",
    "Participante", "ParticipantePalabra", "UnidadProductiva", "ProgramaReferencia", "Referencia", "Staff", "Vacante", "CargaVerificadores", "Verificador",
]
