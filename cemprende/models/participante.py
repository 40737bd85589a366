from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (DDL, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, event,
                        false, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .. import lugares
from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, search_string, utcnow
from .centro import Centro

TIPOS_DOCUMENTO = {
    "CC": "Cédula de ciudadanía",
    "TI": "Tarjeta de identidad",
    "CE": "Cédula de extranjería",
    "PEP": "Permiso especial de permanencia",
    "PPT": "Permiso por protección temporal",
    "PA": "Pasaporte",
    "RC": "Registro civil",
}
SEXOS = {"F": "Femenino", "M": "Masculino", "I": "Intersexual"}
ETNIAS = {
    "indigena": "Indígena",
    "afrodescendiente": "Afrodescendiente",
    "rrom": "Rrom (gitano)",
    "raizal": "Raizal",
    "palenquero": "Palenquero",
    "ninguno": "Ninguno de los anteriores",
}
TIPOS_POBLACION = {
    "red_unidos": "Red Unidos",
    "sisben": "Vulnerable SISBEN",
    "otros_vulnerables": "Otros vulnerables",
    "no_vulnerables": "No vulnerables",
}


ZONAS = {"urbana": "Urbana", "rural": "Rural"}
# The differential categories the centres report on: yes, no, or unknown (never guessed).
CATEGORIAS_DIFERENCIALES = {
    "mujer_cabeza_hogar": "Mujer cabeza de hogar",
    "victima_conflicto": "Víctima del conflicto armado",
    "migrante": "Migrante",
    "lgbtiq": "Población LGBTIQ+ (autorreconocida)",
    "reincorporado": "En proceso de reincorporación o reintegración",
}
# Sensitive data in Ley 1581's sense (and API.md's differential categories): only with the
# person's express authorisation, only for the roles that may see it.
SENSIBLES = ("etnia", "discapacidad", "desplazamiento", *CATEGORIAS_DIFERENCIALES)


class Participante(CentroOwned, db.Model):
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tipo_documento: Mapped[str] = mapped_column(String(4))
    numero_documento: Mapped[str] = mapped_column(search_string(20))
    nombres: Mapped[str] = mapped_column(String(100))
    apellidos: Mapped[str] = mapped_column(String(100))
    # Lower-case, accent-free "nombres apellidos"; its words are indexed in ParticipantePalabra.
    nombre_busqueda: Mapped[str] = mapped_column(String(210))
    sexo: Mapped[str | None] = mapped_column(String(1))
    fecha_nacimiento: Mapped[date] = mapped_column(Date)
    municipio: Mapped[str] = mapped_column(String(80))
    telefono: Mapped[str | None] = mapped_column(String(20))
    correo: Mapped[str | None] = mapped_column(String(254))
    etnia: Mapped[str | None] = mapped_column(String(20))
    discapacidad: Mapped[bool | None] = mapped_column(Boolean)
    desplazamiento: Mapped[bool | None] = mapped_column(Boolean)
    tipo_poblacion: Mapped[str | None] = mapped_column(String(20))
    zona: Mapped[str | None] = mapped_column(String(10))
    mujer_cabeza_hogar: Mapped[bool | None] = mapped_column(Boolean)
    victima_conflicto: Mapped[bool | None] = mapped_column(Boolean)
    migrante: Mapped[bool | None] = mapped_column(Boolean)
    lgbtiq: Mapped[bool | None] = mapped_column(Boolean)
    reincorporado: Mapped[bool | None] = mapped_column(Boolean)
    # The typed municipality matched against the catalogue (lugares.py) whenever it is set; a
    # spelling the catalogue does not know keeps its key for an administrator to map.
    municipio_clave: Mapped[str | None] = mapped_column(String(80), index=True)
    municipio_oficial: Mapped[str | None] = mapped_column(String(80))
    subregion: Mapped[str | None] = mapped_column(String(60))
    # The guardian who consents for a person under 18 (Ley 1581, art. 7).
    acudiente_nombre: Mapped[str | None] = mapped_column(String(100))
    acudiente_documento: Mapped[str | None] = mapped_column(String(20))
    # The employability profile the vacancies are matched against (all optional). The keys are
    # "|a|b|" so one LIKE finds a municipality or a schedule in SQL.
    nivel_educativo: Mapped[str | None] = mapped_column(String(15))
    experiencia_meses: Mapped[int | None] = mapped_column(Integer)
    municipios_trabajo: Mapped[str | None] = mapped_column(String(400))
    municipios_trabajo_claves: Mapped[str | None] = mapped_column(String(500))
    horarios: Mapped[str | None] = mapped_column(String(100))
    remitido_dps: Mapped[bool] = mapped_column(Boolean, default=False)
    programa_dps: Mapped[str | None] = mapped_column(String(120))
    consentimiento_datos: Mapped[bool] = mapped_column(Boolean)
    consentimiento_en: Mapped[datetime] = mapped_column(UTCDateTime())
    consentimiento_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    consentimiento_version: Mapped[str] = mapped_column(String(20))
    # The person revoked the authorisation for sensitive data (Ley 1581): those fields stay empty.
    sensibles_revocado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # DPS's answer to the centre's cross-check (dps/): vulnerability validated or not (None: not
    # answered), reported deceased (the gate then refuses every new actuación, code `fallecido`),
    # living in another city (the city, "" when DPS gave none; None: not reported), and when the
    # latest answer was applied.
    dps_vulnerabilidad_validada: Mapped[bool | None] = mapped_column(Boolean)
    fallecido: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    fecha_reporte_fallecido: Mapped[date | None] = mapped_column(Date)
    reside_otra_ciudad: Mapped[str | None] = mapped_column(String(80))
    dps_respuesta_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    creado_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    centro: Mapped[Centro] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tipo_documento", "numero_documento", name="uq_participante_documento"),
        Index("ix_participante_numero_documento", "numero_documento"),
        # The duplicate detection joins people on their name (and birth date).
        Index("ix_participante_nombre_nacimiento", "nombre_busqueda", "fecha_nacimiento"),
        # PostgreSQL: the network's search by several name words (" " + the name, so "% ana%"
        # is "a word starting with ana") is a trigram index scan instead of intersecting the
        # name-word index over millions of words (participantes.services._search_by_words).
        Index("ix_participante_nombre_trgm", text("(' ' || nombre_busqueda) gin_trgm_ops"),
              postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    @property
    def nombre_completo(self) -> str:
        return f"{self.nombres} {self.apellidos}"

    def edad(self, today: date) -> int:
        born = self.fecha_nacimiento
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def grupo_edad(self, today: date) -> str:
        age = self.edad(today)
        if age < 18:
            return "Menor de 18"
        if age <= 24:
            return "18–24"
        if age <= 62:
            return "25–62"
        return "63 y más"

    FIELDS = (
        "tipo_documento", "numero_documento", "nombres", "apellidos", "sexo", "fecha_nacimiento",
        "municipio", "telefono", "correo", "etnia", "discapacidad", "desplazamiento",
        "tipo_poblacion", "remitido_dps", "programa_dps", "consentimiento_datos", "centro_id",
        "acudiente_nombre", "acudiente_documento", "zona", *CATEGORIAS_DIFERENCIALES,
    )

    @validates("municipio")
    def _match_municipio(self, _key, value):
        found = lugares.buscar(value)
        self.municipio_clave = lugares.clave(value) or None
        self.municipio_oficial = found.nombre if found else None
        self.subregion = found.subregion if found else None
        return value

    def to_dict(self) -> dict:
        data = {"id": self.id}
        for name in self.FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if isinstance(value, date) else value
        data.update(
            version=self.version,
            creado_en=self.creado_en.isoformat(),
            consentimiento_en=self.consentimiento_en.isoformat(),
            consentimiento_version=self.consentimiento_version,
            municipio_oficial=self.municipio_oficial, subregion=self.subregion,
            sensibles_revocado_en=(self.sensibles_revocado_en.isoformat()
                                   if self.sensibles_revocado_en else None),
        )
        return data


class ParticipantePalabra(db.Model):
    """One word of a participant's name, so a name search is an index range scan on any engine.

    The person's centre is copied here (kept in step by participantes.services when a person
    changes centre) so a centre's search ranges over its own people's words only: at national
    scale a common first name is a hundred thousand people, of whom one centre has a few thousand.
    """

    __table_args__ = (Index("ix_participante_palabra_centro", "centro_id", "palabra", "participante_id"),)

    palabra: Mapped[str] = mapped_column(search_string(60), primary_key=True)
    participante_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("participante.id", ondelete="CASCADE"), primary_key=True, index=True)
    centro_id: Mapped[int] = mapped_column(Integer)


# The trigram operator class of ix_participante_nombre_trgm (a contrib extension that Debian's and
# most PostgreSQL packages ship); the migration creates it the same way.
event.listen(Participante.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))
