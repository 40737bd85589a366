"""Every row of the two tableros (INDICADORES.md), declared once for screen, PDF, XLSX and API.

A row says how it is computed with one of a few kinds of measure; queries.py turns all the rows of
one kind into a single grouped SQL query for every centre at once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..itinerario.tipos import ClaseVisita, DESTINOS_REFERENCIACION, Decision, Tipo


@dataclass(frozen=True)
class Enrutados:
    """Distinct persons whose first enrutamiento ever falls in the period, filtered by `condicion`
    over the participant (p) and the first destino (d)."""

    condicion: Callable | None = None
    fuente = "enrutados"


@dataclass(frozen=True)
class Personas:
    """Distinct persons with at least one `tipo` (of `categoria`) in the period."""

    tipo: str
    categoria: str | None = None
    fuente = "actuaciones"


@dataclass(frozen=True)
class Conteo:
    """Number of actuaciones of `tipo` (of `categoria`) in the period."""

    tipo: str
    categoria: str | None = None
    fuente = "actuaciones"


@dataclass(frozen=True)
class Suma:
    """Sum of a column (valor, autoempleos, directos) of the `tipo` actuaciones in the period."""

    tipo: str
    columna: str
    categoria: str | None = None
    fuente = "actuaciones"


@dataclass(frozen=True)
class ActivosRuta:
    """As of hasta: distinct persons whose latest ingreso_ruta has this ruta, not desisted since."""

    ruta: str
    fuente = "rutas"


@dataclass(frozen=True)
class CuposVacantes:
    """Sum of the cupos of the centre's vacantes dated in the period."""

    fuente = "vacantes"


@dataclass(frozen=True)
class Promedio:
    """A value row divided by a count row of the same scope, rounded half up to the peso."""

    valor: str
    numero: str
    fuente = "derivada"


@dataclass(frozen=True)
class Fila:
    codigo: str
    tablero: str  # global | microcapitalizacion
    area: str
    numero: str
    indicador: str
    descripcion: str
    calculo: object
    dinero: bool = False
    # Rows 6.x: avance is the row's share of 1.1 + 1.2 instead of resultado / meta.
    avance_sobre_enrutados: bool = False

    @property
    def etiqueta(self) -> str:
        """A short label that says what the row is on its own (for charts)."""
        if self.descripcion == "Número total":
            return f"{self.codigo} {self.indicador}"
        if len(self.descripcion) < 25:
            return f"{self.codigo} {self.indicador}: {self.descripcion}"
        return f"{self.codigo} {self.descripcion}"


ORI, EMP, EMPR = "Orientación", "Empleabilidad", "Emprendimiento"
T1 = "Usuarios caracterizados y enrutados (No personas)"
T3 = "Tipo de población (No. personas)"
T4 = "Tipo de población según Grupo Étnico (No. personas)"
T5 = "Tipo de población según tipo de vulnerabilidad (No. personas)"
T6 = "Tipo de población según sexo (No. personas)"
TOTAL = "Número total"
AFRO = ("afrodescendiente", "raizal", "palenquero")


def _dps(p, flag: bool):
    return p.remitido_dps.is_(flag)


REFERENCIADOS = [
    ("2.1", "terceros", "Usuarios referenciados a programas de terceros"),
    ("2.2", "gobierno_local", "Usuarios referenciados a programas gobierno local"),
    ("2.3", "gobierno_nacional", "Usuarios referenciados a programas gobierno nacional"),
    ("2.4", "dps", "Usuarios referenciados a programas DPS"),
    ("2.5", "otras_entidades_nacionales", "Usuarios referenciados a programas de otras entidades nacionales"),
    ("2.6", "otros", "Usuarios referenciados a otros programas"),
]
if {destino for _, destino, _ in REFERENCIADOS} != set(DESTINOS_REFERENCIACION):
    raise RuntimeError("every referral destino needs its row 2.x")

FILAS: tuple[Fila, ...] = (
    Fila("1.1", "global", ORI, "1", T1, "Nuevos usuarios caracterizados y enrutados",
         Enrutados(lambda p, d: _dps(p, False))),
    Fila("1.2", "global", ORI, "1", T1, "Usuarios enrutados remitidos por programas DPS",
         Enrutados(lambda p, d: _dps(p, True))),
    Fila("1.3", "global", ORI, "1", T1, "Nuevos usuarios enrutados a servicios de emprendimiento",
         Enrutados(lambda p, d: _dps(p, False) & (d == "emprendimiento"))),
    Fila("1.4", "global", ORI, "1", T1, "Nuevos usuarios enrutados a servicios de empleabilidad",
         Enrutados(lambda p, d: _dps(p, False) & (d == "empleabilidad"))),
    Fila("1.5", "global", ORI, "1", T1, "Usuarios remitidos por DPS enrutados a servicios de emprendimiento",
         Enrutados(lambda p, d: _dps(p, True) & (d == "emprendimiento"))),
    Fila("1.6", "global", ORI, "1", T1, "Usuarios remitidos por DPS enrutados a servicios de empleabilidad",
         Enrutados(lambda p, d: _dps(p, True) & (d == "empleabilidad"))),
    *(Fila(codigo, "global", ORI, "2", "Usuarios Referenciados (No personas)", texto,
           Personas(Tipo.REFERENCIACION, destino)) for codigo, destino, texto in REFERENCIADOS),
    Fila("3.1", "global", ORI, "3", T3, "Red Unidos", Enrutados(lambda p, d: p.tipo_poblacion == "red_unidos")),
    Fila("3.2", "global", ORI, "3", T3, "Vulnerables SISBEN", Enrutados(lambda p, d: p.tipo_poblacion == "sisben")),
    Fila("3.3", "global", ORI, "3", T3, "Otros vulnerables",
         Enrutados(lambda p, d: p.tipo_poblacion == "otros_vulnerables")),
    Fila("3.4", "global", ORI, "3", T3, "No vulnerables",
         Enrutados(lambda p, d: p.tipo_poblacion == "no_vulnerables")),
    Fila("3.9", "global", ORI, "3", T3, "Sin información", Enrutados(lambda p, d: p.tipo_poblacion.is_(None))),
    Fila("4.1", "global", ORI, "4", T4, "Indígenas", Enrutados(lambda p, d: p.etnia == "indigena")),
    Fila("4.2", "global", ORI, "4", T4, "Afrodescendiente (negro, mulato, cimarrón, u otro)",
         Enrutados(lambda p, d: p.etnia.in_(AFRO))),
    Fila("4.3", "global", ORI, "4", T4, "Ninguno de los anteriores (Mestizo)",
         Enrutados(lambda p, d: p.etnia == "ninguno")),
    Fila("4.4", "global", ORI, "4", T4, "Rrom (gitano)", Enrutados(lambda p, d: p.etnia == "rrom")),
    Fila("4.9", "global", ORI, "4", T4, "Sin información", Enrutados(lambda p, d: p.etnia.is_(None))),
    Fila("5.1", "global", ORI, "5", T5, "Condición de discapacidad",
         Enrutados(lambda p, d: p.discapacidad.is_(True))),
    Fila("5.2", "global", ORI, "5", T5, "Situación de desplazamiento",
         Enrutados(lambda p, d: p.desplazamiento.is_(True))),
    # 5.3 counts those who answered "no" to both; 5.9 those with neither true and one unanswered,
    # so the block adds up to 1.1 + 1.2 plus the persons with both conditions (in 5.1 and 5.2).
    Fila("5.3", "global", ORI, "5", T5, "Ninguno de los anteriores",
         Enrutados(lambda p, d: p.discapacidad.is_(False) & p.desplazamiento.is_(False))),
    Fila("5.9", "global", ORI, "5", T5, "Sin información",
         Enrutados(lambda p, d: ~p.discapacidad.is_(True) & ~p.desplazamiento.is_(True)
                   & (p.discapacidad.is_(None) | p.desplazamiento.is_(None)))),
    Fila("6.1", "global", ORI, "6", T6, "Hombres", Enrutados(lambda p, d: p.sexo == "M"),
         avance_sobre_enrutados=True),
    Fila("6.2", "global", ORI, "6", T6, "Mujeres", Enrutados(lambda p, d: p.sexo == "F"),
         avance_sobre_enrutados=True),
    Fila("6.9", "global", ORI, "6", T6, "Otro o sin información",
         Enrutados(lambda p, d: p.sexo.is_(None) | (p.sexo == "I")), avance_sobre_enrutados=True),
    Fila("7", "global", EMP, "7", "Usuarios capacitados FIS", TOTAL, Personas(Tipo.CAPACITACION_FIS)),
    Fila("8", "global", EMP, "8", "Hojas de Vida registradas", TOTAL, Personas(Tipo.HOJA_DE_VIDA)),
    Fila("9", "global", EMP, "9", "Vacantes gestionadas", TOTAL, CuposVacantes()),
    Fila("10", "global", EMP, "10", "Usuarios remitidos a procesos de selección", TOTAL,
         Personas(Tipo.REMISION_SELECCION)),
    Fila("11", "global", EMP, "11", "Vacantes ocupadas", TOTAL, Conteo(Tipo.COLOCACION)),
    *(Fila(f"12.{n}", "global", EMPR, "12", "Distribución de usuarios por rutas de atención",
           f"Usuarios activos Ruta {nombre}", ActivosRuta(ruta))
      for n, (ruta, nombre) in enumerate((("emprende", "Emprende"), ("fortalece", "Fortalece"),
                                          ("desarrolla", "Desarrolla"), ("transforma", "Transforma")), 1)),
    Fila("13", "global", EMPR, "13", "Perfiles de proyecto de negocio formulados", TOTAL,
         Conteo(Tipo.PERFIL_PROYECTO)),
    Fila("14", "global", EMPR, "14", "Planes de negocio formulados", TOTAL, Conteo(Tipo.PLAN_NEGOCIO)),
    Fila("15.1", "global", EMPR, "15", "Planes de negocio financiados", "Directo",
         Conteo(Tipo.FINANCIACION, "directo")),
    Fila("15.2", "global", EMPR, "15", "Planes de negocio financiados", "Por referenciación",
         Conteo(Tipo.FINANCIACION, "referenciacion")),
    Fila("16", "global", EMPR, "16", "Planes de negocio implementados", TOTAL, Conteo(Tipo.PLAN_IMPLEMENTADO)),
    Fila("17.1", "global", EMPR, "17", "Microempresas fortalecidas", "Microempresas acompañadas en campo",
         Personas(Tipo.VISITA_ACOMPANAMIENTO, ClaseVisita.SEGUIMIENTO)),  # a diagnostic visit does not count
    Fila("17.2", "global", EMPR, "17", "Microempresas fortalecidas", "Microempresas fortalecidas en sede",
         Personas(Tipo.FORTALECIMIENTO_SEDE)),
    Fila("17.3", "global", EMPR, "17", "Microempresas fortalecidas", "Microempresas formalizadas",
         Personas(Tipo.FORMALIZACION)),
    Fila("18.1", "global", EMPR, "18", "Generación de empleo", "Autoempleos generados",
         Suma(Tipo.EMPLEO_GENERADO, "autoempleos")),
    Fila("18.2", "global", EMPR, "18", "Generación de empleo",
         "Empleos directos creados por microempresas fortalecidas", Suma(Tipo.EMPLEO_GENERADO, "directos")),
)

M = "microcapitalizacion"
_MICRO = [
    ("M1", "Número y valor de planes de negocio ajustados", Tipo.PLAN_AJUSTADO, None),
    ("M2", "Número y valor de planes de negocio analizados por el Comité de Asignación", Tipo.COMITE, None),
    ("M3", "Número y valor de planes de negocio aprobados por el Comité de Asignación", Tipo.COMITE, Decision.APROBADO),
    ("M4", "Número y valor de planes de negocio desembolsados por la institución receptora",
     Tipo.DESEMBOLSO, None),
]
FILAS += tuple(
    fila
    for codigo, indicador, tipo, categoria in _MICRO
    for fila in (
        Fila(f"{codigo}.n", M, "Microcapitalización", codigo[1:], indicador, TOTAL, Conteo(tipo, categoria)),
        Fila(f"{codigo}.v", M, "Microcapitalización", codigo[1:], indicador, "Valor total",
             Suma(tipo, "valor", categoria), dinero=True),
    )
) + (
    Fila("M5", M, "Microcapitalización", "5",
         "Valor promedio de recursos no reembolsables, por plan de negocio desembolsado", "Valor promedio",
         Promedio("M4.v", "M4.n"), dinero=True),
    Fila("M6", M, "Microcapitalización", "6",
         "Número de visitas de acompañamiento microempresarial realizadas", TOTAL,
         Conteo(Tipo.VISITA_ACOMPANAMIENTO, ClaseVisita.SEGUIMIENTO)),  # diagnostic visits are counted apart
)

POR_CODIGO: dict[str, Fila] = {fila.codigo: fila for fila in FILAS}
TABLEROS = {
    "global": "Tablero mensual de indicadores global",
    "microcapitalizacion": "Tablero mensual de indicadores de microcapitalización",
}
if len(POR_CODIGO) != len(FILAS):
    raise RuntimeError("row codes must be unique")


def filas_de(tablero: str) -> list[Fila]:
    return [fila for fila in FILAS if fila.tablero == tablero]
