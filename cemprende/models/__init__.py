"""All models, imported here so Alembic and the app see the whole schema."""
from .actuacion import Actuacion, ActuacionItem
from .auditoria import Auditoria, AuditoriaRetencion
from .base import CentroOwned
from .centro import Centro
from .exportacion import ArchivoExportado
from .cierre import CierreCifra, CierreMes
from .convenio import Convenio, ConvenioMeta
from .duplicado import CandidatoDuplicado, DeteccionDuplicados, FusionParticipantes
from .comite import ComiteDecision, ComiteSesion, ControlInversionItem
from .formacion import AsistenciaFis, CursoFis, SesionFis
from .habeas import SolicitudHabeas
from .lugar import MunicipioAlias
from .muestra import MuestraAuditoria, MuestraItem
from .llamada import LlamadaItem, LlamadaVerificacion
from .importacion import Importacion, ImportacionFila
from .informe import InformeVersion
from .meta import Meta, ResumenDiario, ResumenMensual, ResumenMunicipio, ResumenMunicipioDiario, ResumenPersonas, Vigencia
from .negocio import UnidadProductiva
from .participante import Participante, ParticipantePalabra
from .pqrs import Pqrs, PqrsNota
from .proveedor import Cotizacion, Proveedor
from .referencia import ProgramaReferencia, Referencia
from .staff import ApiToken, CodigoRecuperacion, Staff
from .traslado import ContactoIntento, Traslado
from .vacante import Vacante
from .version import VersionDatos
from .verificador import CargaVerificadores, Verificador

__all__ = [
    "Actuacion", "ActuacionItem", "CandidatoDuplicado", "DeteccionDuplicados", "FusionParticipantes", "Importacion", "ImportacionFila", "InformeVersion", "ArchivoExportado", "AsistenciaFis", "CursoFis", "SesionFis", "SolicitudHabeas", "MunicipioAlias", "MuestraAuditoria", "MuestraItem", "LlamadaItem", "LlamadaVerificacion", "ApiToken", "Auditoria", "AuditoriaRetencion", "CodigoRecuperacion", "Centro", "CierreCifra", "CierreMes", "ComiteDecision", "ComiteSesion", "Convenio", "ConvenioMeta", "ControlInversionItem", "CentroOwned", "Meta", "ResumenDiario", "ResumenMensual", "ResumenMunicipio", "ResumenMunicipioDiario", "ResumenPersonas", "Vigencia",
    "Participante", "ParticipantePalabra", "Pqrs", "PqrsNota", "Cotizacion", "Proveedor", "UnidadProductiva", "ProgramaReferencia", "Referencia", "Staff", "Vacante", "CargaVerificadores", "Traslado", "ContactoIntento", "Verificador", "VersionDatos",
]
