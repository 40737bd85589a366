"""All models, imported here so Alembic and the app see the whole schema."""
from .actuacion import Actuacion, ActuacionItem
from .auditoria import Auditoria
from .base import CentroOwned
from .centro import Centro
from .comite import ComiteDecision, ComiteSesion, ControlInversionItem
from .formacion import AsistenciaFis, CursoFis, SesionFis
from .importacion import Importacion, ImportacionFila
from .meta import Meta, ResumenDiario, ResumenMensual, Vigencia
from .negocio import UnidadProductiva
from .participante import Participante, ParticipantePalabra
from .referencia import ProgramaReferencia, Referencia
from .staff import ApiToken, Staff
from .vacante import Vacante
from .verificador import CargaVerificadores, Verificador

__all__ = [
    "Actuacion", "ActuacionItem", "Importacion", "ImportacionFila", "AsistenciaFis", "CursoFis", "SesionFis", "ApiToken", "Auditoria", "Centro", "ComiteDecision", "ComiteSesion", "ControlInversionItem", "CentroOwned", "Meta", "ResumenDiario", "ResumenMensual", "Vigencia",
    "Participante", "ParticipantePalabra", "UnidadProductiva", "ProgramaReferencia", "Referencia", "Staff", "Vacante", "CargaVerificadores", "Verificador",
]
