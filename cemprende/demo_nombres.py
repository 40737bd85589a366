"""Names, surnames, document series and municipalities by region, for demo people who look like
the network's: a Cartagena centre serves Arrieta, Julio and Cassiani, Ocaña serves Quintero,
Pacheco and Sanjuán, Tumaco serves Cortés, Quiñones and Angulo.

Only demo data: nothing here judges a real person's name or document.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MUNICIPIOS_CSV = Path(__file__).parent / "data" / "municipios.csv"


@dataclass(frozen=True)
class Region:
    nombre: str
    nombres_f: tuple[str, ...]
    nombres_m: tuple[str, ...]
    apellidos: tuple[str, ...]
    # First two digits (millions) of the cédulas issued there before the 10-digit series (2003).
    series_f: tuple[int, ...]
    series_m: tuple[int, ...]
    # Self-recognised ethnicity weights: ninguno, afrodescendiente, indigena, raizal, palenquero,
    # rrom, no answer.
    etnias: tuple[float, ...]


CARIBE = Region(
    "Caribe",
    ("Yuranis", "Yulieth", "Mayerlis", "Keila", "Yenis", "Luz Marina", "Dayana", "Yarledis",
     "Eneida", "Rosmery", "Ana Isabel", "Katia", "Yoleidys", "Mildreth", "Sirley", "Zoila Rosa",
     "Dilia", "Leonor", "María José", "Yesica Paola", "Liseth", "Nayelis", "Olga Lucía"),
    ("Jader", "Yeiner", "Deiner", "Arnaldo", "Eder", "Jhon Jairo", "Alcides", "Ever", "Dairo",
     "Luis Carlos", "Rafael Antonio", "Jesús David", "Yoiner", "Eliécer", "Wilfrido", "Nelson",
     "José Gregorio", "Hernando", "Kevin", "Édinson", "Manuel Antonio", "Jorge Luis"),
    ("Arrieta", "Julio", "Cassiani", "Cabarcas", "Barrios", "Pájaro", "Caraballo", "Jaraba",
     "Berrío", "Marrugo", "Herrera", "Padilla", "Salgado", "Montes", "Mercado", "Polo", "Zabaleta",
     "De Ávila", "Meza", "Romero", "Ortega", "Cantillo", "Charris", "Rhenals", "Doria", "Petro",
     "Tapias", "Villadiego", "Atencia", "Buelvas", "Díaz", "Pérez", "Hernández", "Martínez"),
    (22, 26, 32, 33, 45, 49, 50, 56, 64), (72, 73, 78, 84, 85, 92),
    (55, 28, 2, 1, 3, 0.5, 10.5))

GUAJIRA = Region(
    "Caribe (La Guajira)",
    CARIBE.nombres_f + ("Yasmín", "Rosalba", "Wuilmary"),
    CARIBE.nombres_m + ("Yeison", "Ramiro", "Wilder"),
    ("Epieyú", "Ipuana", "Uriana", "Pushaina", "Jusayú", "Epinayú", "Gouriyú", "Iguarán",
     "Brito", "Pimienta", "Cotes", "Fonseca", "Choles", "Mendoza", "Gómez", "Pinto", "Ojeda",
     "Deluque", "Bolaño", "Solano", "Barros", "Ariza"),
    (26, 40, 56), (17, 84, 85),
    (48, 12, 30, 0, 0, 0.5, 9.5))

SANTANDERES = Region(
    "Santanderes",
    ("Luz Dary", "Yolanda", "Marleny", "Nubia", "Sandra Milena", "Leidy Johana", "Zulay",
     "Yurley", "Carmen Rosa", "Diana Marcela", "Ana Belén", "Maryuri", "Ludy", "Yaneth",
     "Deisy", "Blanca Cecilia", "Karen Dayana", "Edilia", "Lizeth", "Neira"),
    ("Jesús Emilio", "Ciro Alfonso", "Wilson", "Álvaro", "Omar", "Hernán", "Yesid", "Fredy",
     "Jhon Fredy", "Ramiro", "Orlando", "Ciro", "Luis Enrique", "José del Carmen", "Wilmer",
     "Edgar", "Javier Alonso", "Sergio Andrés", "Nelson Enrique", "Belisario"),
    ("Quintero", "Pacheco", "Sanjuán", "Navarro", "Carrascal", "Jaime", "Claro", "Velásquez",
     "Angarita", "Pérez", "Álvarez", "Arévalo", "Bayona", "Rincón", "Lobo", "Barbosa", "Pabón",
     "Ascanio", "Guerrero", "Contreras", "Jácome", "Trigos", "Rizo", "Durán", "Sepúlveda",
     "Ortiz", "Carvajal", "Sanguino", "Manosalva", "Galvis"),
    (27, 37, 60, 63), (13, 88, 91),
    (84, 3, 2, 0, 0, 0.3, 10.7))

ANDINA = Region(
    "Andina",
    ("Gloria Inés", "María Fernanda", "Luz Stella", "Martha Lucía", "Angie Lorena", "Paola Andrea",
     "Claudia Patricia", "Yeimy", "Adriana", "Diana Carolina", "Ruth Mery", "Nidia", "Jenny",
     "Lina Marcela", "Flor Alba", "María Cenaida", "Alba Luz", "Yenny Paola"),
    ("Julián David", "Andrés Felipe", "Carlos Arturo", "Fabián", "Jorge Eliécer", "Luis Alberto",
     "Óscar", "Germán", "Diego Fernando", "Héctor Fabio", "Nelson", "Arley", "Jaime", "Yamid",
     "Brayan Stiven", "José Norbey", "Wilson Fernando", "Humberto"),
    ("Rodríguez", "Gómez", "Ramírez", "Vargas", "Sánchez", "Perdomo", "Trujillo", "Cabrera",
     "Cuéllar", "Tovar", "Rojas", "Castañeda", "Quimbayo", "Bocanegra", "Forero", "Cárdenas",
     "Suárez", "Avendaño", "Puentes", "Sierra", "Barrera", "Mora", "Medina", "Polanía",
     "Losada", "Charry", "Olaya", "Bonilla"),
    (28, 36, 38, 40, 65), (4, 7, 12, 74, 93),
    (88, 2, 2, 0, 0, 0.5, 7.5))

NARINO_ANDINO = Region(
    "Andina del sur",
    ("Rosa Elena", "Ximena", "Mercedes", "Aura", "Yesenia", "Lorena", "Carmen Alicia", "Mireya",
     "Jessica", "Dolly", "Marlene", "Sonia"),
    ("Segundo", "Franco", "Milton", "Jairo", "Fernando", "Álex", "Iván", "Mario Fernando",
     "Álvaro", "Giovanny", "Byron", "Édison"),
    ("Benavides", "Bastidas", "Erazo", "Rosero", "Delgado", "Burbano", "Chamorro", "Pantoja",
     "Insuasty", "Zambrano", "Meneses", "Enríquez", "Narváez", "Villota", "Cabrera", "Guerrero",
     "Mora", "Jojoa", "Tapia", "Ordóñez", "Coral", "Paz"),
    (27, 30, 59), (12, 13, 87, 98),
    (80, 2, 10, 0, 0, 0.5, 7.5))

PACIFICO = Region(
    "Pacífico",
    ("Yamileth", "Leidy Yohana", "Eulalia", "Francia Elena", "Nely", "Yajaira", "Ana Milena",
     "Maritza", "Yolima", "Deyanira", "Luz Mila", "Aracely", "Jackeline", "Shirley"),
    ("Wílmer", "Yeison", "Jhon Edison", "Deivis", "Fredy", "Ancízar", "Libardo", "Dagoberto",
     "Harold", "Jhon Fáber", "Yimmy", "Robinson", "Eyner", "Hárold"),
    ("Cortés", "Quiñones", "Angulo", "Caicedo", "Mosquera", "Valencia", "Palacios", "Riascos",
     "Cuero", "Castillo", "Hurtado", "Arboleda", "Montaño", "Obregón", "Preciado", "Ortiz",
     "Sinisterra", "Landázuri", "Micolta", "Banguera", "Rentería", "Bonilla", "Lucumí"),
    (25, 29, 31, 34, 59, 66), (10, 12, 16, 76, 87, 94),
    (22, 68, 4, 0, 0, 0.3, 5.7))

LLANOS = Region(
    "Orinoquía",
    ("Yury", "Dora", "Mayerly", "Nancy", "Érika", "Luz Adriana", "Leidy", "Yamile", "Sandra",
     "Astrid", "María Nelly", "Yudy"),
    ("Ramón", "Fidel", "Hernando", "Jhon", "Luis Eduardo", "Yesid", "Edilberto", "Dúmar",
     "Wílder", "Ronald", "Reinaldo", "Albeiro"),
    ("Rey", "Chaparro", "Barrera", "Calderón", "Romero", "Torres", "Garzón", "Rincón", "Baquero",
     "Parales", "Niño", "Cristancho", "Pérez", "Ávila", "Galindo", "Riveros", "Hernández",
     "Camacho", "Roa", "Suárez"),
    (21, 40, 41, 69), (17, 74, 86, 96),
    (86, 3, 3, 0, 0, 0.5, 7.5))

AMAZONIA = Region(
    "Amazonía",
    ("Luz Nelly", "Yamile", "Aleida", "Yuli", "María Eugenia", "Amparo", "Nohora", "Ledy",
     "Francy", "Rubiela", "Dayana", "Esneda"),
    ("Arnulfo", "Ferney", "Duván", "Jhon Jairo", "Libardo", "Uber", "Yeferson", "Norberto",
     "Robinson", "Aldemar", "Fabio", "Yonatan"),
    ("Jajoy", "Jacanamejoy", "Chindoy", "Tisoy", "Muchavisoy", "Perdomo", "Cuéllar", "Vargas",
     "Ortiz", "Trujillo", "Silva", "Rojas", "Guzmán", "Losada", "Cabrera", "Muñoz", "Cerón",
     "Burbano", "Parra", "Ospina"),
    (40, 41, 69), (17, 96, 18),
    (76, 5, 12, 0, 0, 0.5, 6.5))

REGIONES = {
    "Bolívar": CARIBE, "Atlántico": CARIBE, "Magdalena": CARIBE, "Sucre": CARIBE,
    "Córdoba": CARIBE, "Cesar": CARIBE, "La Guajira": GUAJIRA,
    "Norte de Santander": SANTANDERES, "Santander": SANTANDERES,
    "Tolima": ANDINA, "Huila": ANDINA, "Boyacá": ANDINA, "Bogotá D.C.": ANDINA,
    "Cauca": PACIFICO, "Valle del Cauca": PACIFICO, "Nariño": NARINO_ANDINO,
    "Meta": LLANOS, "Casanare": LLANOS, "Caquetá": AMAZONIA, "Putumayo": AMAZONIA,
}
# Nariño's coast is Pacific, its highlands (and Popayán's) are the southern Andes.
POR_CIUDAD = {"Tumaco": PACIFICO, "Popayán": NARINO_ANDINO}
ETNIAS_ORDEN = ("ninguno", "afrodescendiente", "indigena", "raizal", "palenquero", "rrom", None)


def region_of(departamento: str, ciudad: str | None = None) -> Region:
    return POR_CIUDAD.get(ciudad or "") or REGIONES.get(departamento, ANDINA)


@cache
def municipios_de(departamento: str) -> tuple[str, ...]:
    with MUNICIPIOS_CSV.open(encoding="utf-8") as handle:
        return tuple(row["municipio"] for row in csv.DictReader(handle)
                     if row["departamento"] == departamento)
