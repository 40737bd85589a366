"""Demo people with realistic itineraries, built through the same services as the pages."""
from __future__ import annotations

import io
import random
import secrets
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from .admin.services import import_centros
from .auth.passwords import hash_password
from .empleabilidad import services as vacantes
from .errors import DomainError
from .extensions import db
from .itinerario import services as itinerario
from .models import Actuacion, Centro, Staff
from .models.vacante import NIVELES
from .participantes import services as participantes
from .demo_nombres import ETNIAS_ORDEN, Region, municipios_de, region_of
from .microfinanciamiento import comite, entregas, llamadas, proveedores
from .models.proveedor import Proveedor
from .printouts import PAGE as PRINT_PAGE
from .referenciacion import services as referenciacion
from .verificadores import carga as cargas, cobertura, revision
from .tableros import services as tableros
from .itinerario.tipos import ClaseVisita, Decision, Tipo

# Demo-only accounts for a local database; demo-data refuses to run in production.
# Bandit B105: published demo login; demo-data refuses production
DEMO_PASSWORD = "Cemprende-demo-2026"  # nosec B105
DEMO_CENTRES = ("Cemprende Cartagena", "COEE Ocaña")
DAYS_BACK = 547  # itineraries start within the 18 months before the demo's "today"
PLANTED_FROM = 60  # smaller demos (tests) carry no planted integrity problems

NOMBRES_F = ["Ana María", "Luz Dary", "Yuliana", "Marleny", "Diana Carolina", "Sandra Milena",
             "Leidy Johana", "Yesenia", "María Fernanda", "Rosa Elena", "Katherine", "Paola Andrea",
             "Dayana", "Nelly", "Gloria Inés", "Angie Lorena"]
NOMBRES_M = ["José Luis", "Juan Carlos", "Luis Alberto", "Jhon Jairo", "Carlos Andrés", "Wilmer",
             "Edwin", "Yeison", "Jorge Eliécer", "Andrés Felipe", "Óscar", "Deiner", "Fabián",
             "Julián David", "Hernán", "Brayan"]
APELLIDOS = ["Pérez", "Rodríguez", "Gómez", "Martínez", "García", "López", "Hernández", "Díaz",
             "Moreno", "Rojas", "Sánchez", "Castro", "Mosquera", "Palacios", "Valencia", "Caicedo",
             "Quintero", "Ospina", "Barrios", "Arrieta", "Mendoza", "Jaraba", "Epieyú", "Ipuana"]
SECTORES = ["Comercio", "Alimentos", "Confección", "Belleza", "Artesanías", "Agropecuario",
            "Servicios", "Turismo"]
NEGOCIOS = {
    "Comercio": ["Tienda {a}", "Miscelánea {b}", "Minimercado La {b}"],
    "Alimentos": ["Panadería La {b}", "Comidas rápidas {a}", "Fritos y jugos {a}"],
    "Confección": ["Confecciones {a}", "Modistería La {b}"],
    "Belleza": ["Peluquería {a}", "Salón de belleza La {b}"],
    "Artesanías": ["Artesanías {b}", "Tejidos {a}"],
    "Agropecuario": ["Galpón {a}", "Cultivo La {b}"],
    "Servicios": ["Taller {a}", "Lavadero La {b}", "Papelería {a}"],
    "Turismo": ["Posada La {b}", "Recorridos {a}"],
}
# Goods a plan of each sector asks for: description, usual unit price, investment category.
SECTOR_ITEMS = {
    "Comercio": [("Nevera exhibidora", 1_850_000, "maquinaria_equipo"), ("Estantería metálica", 380_000, "mobiliario"),
                 ("Mercancía inicial", 900_000, "mercancia"), ("Vitrina", 750_000, "mobiliario"),
                 ("Balanza electrónica", 180_000, "herramientas")],
    "Alimentos": [("Horno a gas", 2_100_000, "maquinaria_equipo"), ("Licuadora industrial", 640_000, "maquinaria_equipo"),
                  ("Freidora industrial", 890_000, "maquinaria_equipo"), ("Insumos de panadería", 450_000, "materia_prima"),
                  ("Mesa de trabajo en acero", 720_000, "mobiliario")],
    "Confección": [("Máquina de coser industrial", 1_450_000, "maquinaria_equipo"), ("Fileteadora", 1_650_000, "maquinaria_equipo"),
                   ("Telas e hilos", 520_000, "materia_prima"), ("Mesa de corte", 410_000, "mobiliario")],
    "Belleza": [("Silla de peluquería", 520_000, "mobiliario"), ("Secador profesional", 260_000, "herramientas"),
                ("Kit de manicure", 150_000, "herramientas"), ("Productos capilares", 380_000, "materia_prima"),
                ("Espejo con tocador", 340_000, "mobiliario")],
    "Artesanías": [("Telar", 980_000, "maquinaria_equipo"), ("Materia prima artesanal", 420_000, "materia_prima"),
                   ("Herramientas de talla", 230_000, "herramientas"), ("Exhibidor", 310_000, "mobiliario")],
    "Agropecuario": [("Guadañadora", 1_250_000, "maquinaria_equipo"), ("Pollitos de engorde (lote)", 650_000, "materia_prima"),
                     ("Bebederos y comederos", 190_000, "herramientas"), ("Concentrado", 480_000, "materia_prima"),
                     ("Motobomba", 1_100_000, "maquinaria_equipo")],
    "Servicios": [("Computador portátil", 1_900_000, "tecnologia"), ("Impresora multifuncional", 850_000, "tecnologia"),
                  ("Hidrolavadora", 1_300_000, "maquinaria_equipo"), ("Caja de herramientas", 350_000, "herramientas")],
    "Turismo": [("Camarote con colchón", 690_000, "mobiliario"), ("Juego de sábanas y toallas", 240_000, "otros"),
                ("Ventilador de techo", 210_000, "maquinaria_equipo"), ("Carpa y equipo de camping", 560_000, "otros")],
}
# Each centre's register of suppliers: {ciudad} and {depto} filled in.
PROVEEDORES_CENTRO = ["Distribuidora {ciudad} S.A.S.", "Ferretería El Progreso de {ciudad}",
                      "Almacén La Economía", "Equipos y Hogar {depto} Ltda.", "Comercializadora Surtitodo",
                      "Insumos y Maquinaria del {depto} S.A.S."]
COMITE_MIEMBROS = ["Director(a) del centro", "Delegado(a) de la Alcaldía", "Delegado(a) del PNUD",
                   "Representante de la Cámara de Comercio", "Asesor(a) empresarial del centro"]
CARGO_FIJO = {"descripcion": "Asesoría contable (paquete de apertura)", "cantidad": 1,
              "precio_unitario": 250_000, "categoria": "otros"}
PROGRAMAS = {"terceros": "Fundación Mario Santo Domingo", "gobierno_local": "Alcaldía: Emprende tu barrio",
             "gobierno_nacional": "SENA Fondo Emprender", "dps": "Mi Negocio",
             "otras_entidades_nacionales": "Bancóldex", "otros": "Cooperativa local"}
EMPRESAS = [("Almacenes Éxito", "Auxiliar de bodega"), ("Tecnoquímicas", "Operario de producción"),
            ("Cooperativa Multiactiva", "Asesor comercial"), ("Hotel Caribe", "Camarera"),
            ("Constructora Bolívar", "Ayudante de obra"), ("Call center Atento", "Agente")]


class DemoBuilder:
    def __init__(self, seed: int, hasta: date):
        # Bandit B311: reproducible demo data by seed
        self.rng = random.Random(seed)  # nosec B311
        self.programas: dict[int, list[int]] = {}
        self.hasta = hasta
        self.documentos: set[tuple[str, str]] = set()
        self.suppliers: dict[int, list[Proveedor]] = {}
        self.supervisor: Staff | None = None

    def day(self, start: date, min_days: int = 0, max_days: int = 30) -> date | None:
        result = start + timedelta(days=self.rng.randint(min_days, max_days))
        return result if result <= self.hasta else None

    def person_data(self, centro: Centro) -> dict:
        """A person of the centre's region: its names, its cédula series, its municipalities."""
        rng = self.rng
        region = region_of(centro.departamento, centro.ciudad)
        sexo = rng.choices(["F", "M", "I", None], [58, 40, 0.5, 1.5])[0]
        nombres = rng.choice(region.nombres_f if sexo == "F" else region.nombres_m)
        edad = rng.choices([(15, 17), (18, 28), (29, 45), (46, 60), (61, 75)], [3, 30, 38, 19, 10])[0]
        born = self.hasta - timedelta(days=rng.randint(edad[0] * 366 + 1, edad[1] * 365 + 355))
        migrante = edad[0] >= 18 and rng.random() < 0.04
        tipo, numero = self.document(region, sexo, born, migrante, menor=edad[0] < 18)
        dps = rng.random() < 0.35
        municipios = municipios_de(centro.departamento) or (centro.ciudad,)
        municipio = centro.ciudad if rng.random() < 0.7 else rng.choice(municipios)
        data = {
            "tipo_documento": tipo, "numero_documento": numero, "nombres": nombres,
            "apellidos": f"{rng.choice(region.apellidos)} {rng.choice(region.apellidos)}",
            "sexo": sexo, "fecha_nacimiento": born.isoformat(), "municipio": municipio,
            "zona": "urbana" if municipio == centro.ciudad or rng.random() < 0.5 else "rural",
            "telefono": f"3{rng.choice(['00', '01', '04', '10', '12', '13', '14', '15', '20', '22'])}"
                        f"{rng.randint(1_000_000, 9_999_999)}",
            "correo": None,
            "etnia": rng.choices(ETNIAS_ORDEN, region.etnias)[0],
            "discapacidad": rng.choices([False, True, None], [85, 7, 8])[0],
            "desplazamiento": rng.choices([False, True, None], [55, 38, 7])[0],
            "victima_conflicto": rng.random() < 0.3,
            "mujer_cabeza_hogar": sexo == "F" and edad[0] >= 18 and rng.random() < 0.45,
            "migrante": migrante, "reincorporado": edad[0] >= 18 and rng.random() < 0.01,
            "lgbtiq": rng.random() < 0.02,
            "tipo_poblacion": rng.choices(["red_unidos", "sisben", "otros_vulnerables", "no_vulnerables", None],
                                          [45, 30, 12, 5, 8])[0],
            "remitido_dps": dps, "programa_dps": rng.choice(["RIE 2013", "Mi Negocio", "Ingreso Social"]) if dps else None,
            "consentimiento_datos": True, "centro_id": centro.id,
        }
        if edad[0] < 18:  # a minor: the adult who authorises the processing of the data
            data["acudiente_nombre"] = (f"{rng.choice(region.nombres_f)} {data['apellidos'].split()[-1]} "
                                        f"{rng.choice(region.apellidos)}")
            data["acudiente_documento"] = self.document(region, "F", born - timedelta(days=9000), False)[1]
        return data

    def document(self, region: Region, sexo: str | None, born: date, migrante: bool,
                 menor: bool = False) -> tuple[str, str]:
        """A document of a plausible type and length: the cédula series of the region before
        2003 (8 digits), the 10-digit NUIP after; TI for minors; PPT for Venezuelan migrants."""
        rng = self.rng
        while True:
            if migrante:
                tipo, numero = "PPT", str(rng.randint(1_000_000, 6_999_999))
            elif menor:
                tipo, numero = "TI", str(rng.randint(1_040_000_000, 1_099_999_999))
            elif born.year >= 1985:
                base = 1_000_000_000 + (born.year - 1985) * 4_000_000
                tipo, numero = "CC", str(base + rng.randint(0, 30_000_000))
            else:
                series = region.series_f if sexo == "F" else region.series_m
                first = rng.choice(series)
                digits = rng.randint(0, 999_999)
                if born.year < 1955 and first >= 10 and rng.random() < 0.3:
                    first, digits = rng.randint(1, 9), rng.randint(0, 999_999)  # an old 7-digit one
                tipo, numero = "CC", str(first * 1_000_000 + digits)
            if (tipo, numero) not in self.documentos:
                self.documentos.add((tipo, numero))
                return tipo, numero

    def itinerary(self, asesor: Staff, person_id: int, start: date, vacantes_ids: list[int]) -> int:
        rng, added = self.rng, 0

        def add(tipo: str, when: date | None, **fields) -> date | None:
            nonlocal added
            if when is None:
                return None
            try:
                itinerario.register(asesor, person_id, {"tipo": tipo, "fecha": when.isoformat(), **fields},
                                    today=self.hasta)
            except DomainError:
                return None  # e.g. a vacancy already full: the person simply was not placed
            added += 1
            return when

        destino = rng.choices(["emprendimiento", "empleabilidad"], [55, 45])[0]
        situacion = ("busca_empleo" if destino == "empleabilidad"
                     else rng.choice(["negocio_en_marcha", "idea_negocio"]))
        day = add(Tipo.CARACTERIZACION, start, situacion=situacion,
                  observaciones="Caracterización inicial.")
        if rng.random() < 0.8:
            add(Tipo.ACTA_COMPROMISO, day)
        if rng.random() < 0.15:
            return added
        day = add(Tipo.ENRUTAMIENTO, self.day(start, 0, 10), destino=destino)
        if day is None:
            return added
        if rng.random() < 0.25:
            self.refer(asesor, person_id, self.day(day, 0, 40))
        if rng.random() < 0.08:
            add(Tipo.DESISTIMIENTO, self.day(day, 5, 90), motivo="Consiguió empleo por su cuenta.")
            return added
        if destino == "emprendimiento":
            self.emprendimiento(add, day, asesor, person_id)
        else:
            self.empleabilidad(add, day, vacantes_ids)
        return added

    def refer(self, asesor: Staff, person_id: int, when: date | None) -> None:
        """A referral to one of the centre's programmes, some already followed up."""
        if when is None:
            return
        rng = self.rng
        programa_id = rng.choice(self.programas[asesor.centro_id])
        try:
            made = referenciacion.refer(asesor, person_id, {"programa_id": programa_id,
                                                            "fecha": when.isoformat()}, today=self.hasta)
        except DomainError:
            return
        for estado in ("aceptada", "atendida")[:rng.choice([0, 0, 1, 2])]:
            referenciacion.follow_up(asesor, made.id, {"version": made.version, "estado": estado})

    def directory(self, asesor: Staff) -> None:
        self.programas[asesor.centro_id] = [
            referenciacion.create_programa(asesor, {"nombre": nombre, "entidad": nombre,
                                                    "categoria": categoria}).id
            for categoria, nombre in PROGRAMAS.items()]

    def documents(self, asesor: Staff, supervisor: Staff, person) -> None:
        """Most required verifier documents uploaded, some reviewed: a queue and gaps to look at."""
        rng = self.rng
        for prefijo in sorted(set(cobertura.missing_for_participant(person).values())):
            if rng.random() > 0.75:
                continue
            image = prefijo == "CC"
            content = demo_document(f"{prefijo} {person.numero_documento}", image=image)
            name = f"{prefijo}.{'png' if image else 'pdf'}"
            carga = cargas.upload(asesor, [(name, io.BytesIO(content))],
                                         participante_id=person.id, prefijo=prefijo)
            verificador_id = carga.resultados[0]["verificador_id"]
            roll = rng.random()
            if verificador_id and roll < 0.45:
                revision.review(supervisor, verificador_id, {"estado": "aprobado"})
            elif verificador_id and roll < 0.55:
                revision.review(supervisor, verificador_id, {
                    "estado": "rechazado", "observacion": rng.choice(REJECTION_REASONS)})

    def emprendimiento(self, add: Callable, day: date, asesor: Staff | None = None,
                       person_id: int | None = None) -> None:
        rng = self.rng
        ruta = rng.choices(["emprende", "fortalece", "desarrolla", "transforma"], [50, 30, 15, 5])[0]
        day = add(Tipo.INGRESO_RUTA, self.day(day, 0, 15), ruta=ruta)
        if day is None or rng.random() < 0.3:
            return
        sector = rng.choice(list(SECTOR_ITEMS))
        negocio = rng.choice(NEGOCIOS[sector]).format(a=rng.choice(APELLIDOS), b=rng.choice(
            ["Esperanza", "Fe", "Bendición", "Providencia", "Victoria", "Primavera"]))
        day = add(Tipo.PERFIL_PROYECTO, self.day(day, 5, 30), nombre_negocio=negocio, sector=sector)
        if day is None:
            return
        if rng.random() < 0.4:
            add(Tipo.FORTALECIMIENTO_SEDE, self.day(day, 0, 30), tema=rng.choice(["Costos", "Mercadeo", "Contabilidad básica"]))
        if rng.random() < 0.5 or asesor is None:
            return
        self.seed_capital(asesor, person_id, sector, negocio, self.day(day, 10, 40), self.hasta)

    def plan_items(self, sector: str) -> list[dict]:
        rng = self.rng
        return [{"descripcion": d, "cantidad": rng.choice([1, 1, 1, 2]) if p > 300_000 else rng.randint(1, 4),
                 "precio_unitario": int(round(p * rng.uniform(0.9, 1.1), -3)), "categoria": c}
                for d, p, c in rng.sample(SECTOR_ITEMS[sector], rng.randint(2, 4))]

    def seed_capital(self, asesor: Staff, person_id: int, sector: str, negocio: str,
                     start: date | None, end: date, *, plan_extra: list[dict] = (),
                     decision: str | None = None, proveedor: Proveedor | None = None,
                     caso: str | None = None) -> dict:
        """A business plan with its items, quotes from the centre's suppliers, the diagnostic
        visit, the adjusted plan, the comité's sitting, deliveries with their acta, the follow-up
        visit and a verification call, each only while the dates stay within start..end. `caso`
        plants one integrity problem (sobreprecio, parcial, sin_entrega, sin_seguimiento,
        sin_visita, no_confirmada) instead of the clean path."""
        rng, made = self.rng, {}
        if start is None:
            return made
        planned = caso is not None
        span = max((end - start).days, 0)
        steps = iter(sorted(rng.randint(0, span) for _ in range(8)) if planned else [])

        def when(low: int, high: int, after: date) -> date | None:
            if planned:
                return max(after, start + timedelta(days=next(steps)))
            result = after + timedelta(days=rng.randint(low, high))
            return result if result <= end else None

        def act(tipo: str, fecha: date | None, **fields):
            if fecha is None:
                return None
            try:
                return itinerario.register(asesor, person_id, {"tipo": tipo, "fecha": fecha.isoformat(), **fields},
                                           today=self.hasta)
            except DomainError:
                return None

        items = self.plan_items(sector) + list(plan_extra)
        total = sum(i["cantidad"] * i["precio_unitario"] for i in items)
        plan = act(Tipo.PLAN_NEGOCIO, start, nombre_negocio=negocio, valor_solicitado=total, items=items)
        if plan is None or (not planned and rng.random() < 0.35):
            return made
        visita = act(Tipo.VISITA_ACOMPANAMIENTO, when(3, 20, plan.fecha), clase=ClaseVisita.DIAGNOSTICO)
        if visita is None:
            return made
        made["visita_diagnostico"] = visita
        ajustado = act(Tipo.PLAN_AJUSTADO, when(1, 15, visita.fecha), valor=total, items=items)
        if ajustado is None:
            return made
        made["plan"] = ajustado
        suppliers = self.suppliers[asesor.centro_id]
        # The supplier chosen quotes every item at the plan's price; one or two others quote more.
        chosen = proveedor or rng.choice(suppliers)
        for item in ajustado.items:
            others = [s for s in suppliers if s is not chosen]
            quoted = [chosen] + rng.sample(others, rng.choice([0, 1, 1, 2]) if not planned else 1)
            for n, supplier in enumerate(quoted[:3]):
                precio = (item.precio_unitario if n == 0
                          else int(round(item.precio_unitario * rng.uniform(1.04, 1.3), -3)))
                proveedores.add_quote(asesor, item.id, {"proveedor_id": supplier.id, "precio_unitario": precio,
                                                        "fecha": ajustado.fecha.isoformat()}, today=self.hasta)
        fecha_comite = when(5, 30, ajustado.fecha)
        if fecha_comite is None:
            return made
        decision = decision or rng.choices([Decision.APROBADO, Decision.RECHAZADO, Decision.APLAZADO], [75, 10, 15])[0]
        sesion = comite.hold_session(asesor, {
            "fecha": fecha_comite.isoformat(), "lugar": f"Sala de juntas, {asesor.centro.nombre}",
            "miembros": "\n".join(rng.sample(COMITE_MIEMBROS, 3)),
            "decisiones": [{"plan_id": ajustado.id, "decision": decision,
                            "observacion": ("El plan no muestra mercado suficiente."
                                            if decision == Decision.RECHAZADO else None)}]},
            today=self.hasta)
        made["comite"] = fecha_comite
        if rng.random() < 0.5:
            acta = demo_document(f"Acta {sesion.acta}", image=False)
            comite.upload_acta(asesor, sesion.id, [("acta.pdf", io.BytesIO(acta))])
        if decision != Decision.APROBADO:
            return made
        if caso == "sin_visita":  # the diagnostic visit, recorded on the wrong person, is annulled
            itinerario.annul(asesor, visita.id, {"motivo": "La visita se registró en la persona equivocada."})
        act(Tipo.FINANCIACION, fecha_comite, modalidad="directo", valor=total)
        if caso == "sin_entrega":
            return made
        supplier = chosen
        fecha = when(10, 60, fecha_comite)
        if fecha is None:
            return made
        if caso == "sobreprecio":  # the first item invoiced well above its quote, fewer units
            first = items[0]
            entregados = [{**first, "cantidad": 1,
                           "precio_unitario": int(round(first["precio_unitario"] * 1.35, -3))}]
        elif caso == "parcial" or (not planned and len(items) > 2 and rng.random() < 0.25):
            entregados = items[:-1]
        else:
            entregados = items
        try:
            entrega = entregas.deliver(asesor, person_id, {
                "fecha": fecha.isoformat(), "proveedor": supplier.nombre, "nit": supplier.nit_completo,
                "items": [{k: i[k] for k in ("descripcion", "cantidad", "precio_unitario")} for i in entregados]},
                today=self.hasta)
        except DomainError:
            return made
        made["entrega"] = entrega
        act(Tipo.PLAN_IMPLEMENTADO, when(5, 30, fecha))
        if caso == "sin_seguimiento":
            return made
        visita = act(Tipo.VISITA_ACOMPANAMIENTO, when(20, 90, fecha), clase=ClaseVisita.SEGUIMIENTO)
        if visita:
            act(Tipo.CONTROL_INVERSION, visita.fecha, observaciones="Bienes encontrados en uso.")
            if caso == "no_confirmada" or rng.random() < 0.4:
                self.call(person_id, visita.fecha, confirma=caso != "no_confirmada")
        if not planned and rng.random() < 0.3:
            act(Tipo.FORMALIZACION, when(30, 120, fecha), registro="Matrícula mercantil")
        if not planned and rng.random() < 0.6:
            act(Tipo.EMPLEO_GENERADO, when(30, 120, fecha), autoempleos=1, directos=rng.randint(0, 2))
        return made

    def call(self, person_id: int, fecha: date, confirma: bool) -> None:
        """The supervisor's verification call to a beneficiary (a contradiction raises an alert)."""
        plan = entregas.approved_plan(self.supervisor, person_id)
        answers = [{"descripcion": item.descripcion, "recibido": "si", "estado_bienes": "bueno"}
                   for item in plan.items.values() if item.entregado]
        if not confirma and answers:
            answers[0] = {**answers[0], "recibido": "no"}
        llamadas.record_call(self.supervisor, {
            "participante_id": person_id, "fecha": fecha.isoformat(), "contesto": True,
            "proveedor_confirmado": True, "items": answers}, today=self.hasta)

    def register_suppliers(self, asesor: Staff, centro: Centro) -> None:
        """Four suppliers in the centre's register (those it has, when demo-data runs again)."""
        rng, made = self.rng, []
        existing = proveedores.active_suppliers(centro.id)
        if len(existing) >= 2:
            self.suppliers[centro.id] = existing
            return
        for nombre in rng.sample(PROVEEDORES_CENTRO, 4):
            digits = f"{rng.choice([800, 830, 860, 890, 900, 901])}{rng.randint(100_000, 999_999)}"
            made.append(proveedores.create_supplier(asesor, {
                "nombre": nombre.format(ciudad=centro.ciudad, depto=centro.departamento),
                "nit": f"{digits}-{proveedores.nit_check_digit(digits)}", "ciudad": centro.ciudad,
                "sector": "Comercio al por mayor"}))
        self.suppliers[centro.id] = made

    def planted_person(self, asesor: Staff, centro: Centro, start: date, end: date, caso: str, **kw) -> int:
        """A person whose seed-capital path carries one integrity problem (see seed_capital)."""
        person = participantes.register(asesor, self.person_data(centro), today=self.hasta)
        for tipo, fields in ((Tipo.CARACTERIZACION, {"situacion": "idea_negocio"}),
                             (Tipo.ACTA_COMPROMISO, {}),
                             (Tipo.ENRUTAMIENTO, {"destino": "emprendimiento"}),
                             (Tipo.INGRESO_RUTA, {"ruta": "emprende"})):
            itinerario.register(asesor, person.id, {"tipo": tipo, "fecha": start.isoformat(), **fields},
                                today=self.hasta)
        sector = self.rng.choice(list(SECTOR_ITEMS))
        negocio = self.rng.choice(NEGOCIOS[sector]).format(a=self.rng.choice(APELLIDOS), b="Esperanza")
        itinerario.register(asesor, person.id, {"tipo": Tipo.PERFIL_PROYECTO, "fecha": start.isoformat(),
                                                "nombre_negocio": negocio, "sector": sector}, today=self.hasta)
        self.seed_capital(asesor, person.id, sector, negocio, start, end, caso=caso,
                          decision=kw.pop("decision", Decision.APROBADO), **kw)
        return person.id

    def plant(self, staff: dict[str, Staff], centros: list[Centro], count: int) -> int:
        """A few integrity problems for the alerts and the review queues to find, each made
        through the services as a careless (or dishonest) record would be. Returns the people made."""
        hasta, made = self.hasta, 0
        by_city = {c.ciudad: c for c in centros}
        cartagena, ocana = by_city.get("Cartagena"), by_city.get("Ocaña")
        otro = by_city.get("Barranquilla") or next((c for c in centros if c not in (cartagena, ocana)), None)
        if cartagena:
            asesor = staff[f"asesor.{_slug(cartagena)}"]
            for caso, start, end in (("sobreprecio", 200, 20), ("parcial", 220, 30), ("sin_entrega", 260, 70),
                                     ("sin_seguimiento", 300, 100), ("sin_visita", 180, 10),
                                     ("no_confirmada", 240, 5)):
                self.planted_person(asesor, cartagena, hasta - timedelta(days=start),
                                    hasta - timedelta(days=end), caso)
                made += 1
            made += self.plant_duplicates(asesor, cartagena)
        if ocana:  # one supplier takes most of the centre's deliveries this year
            asesor = staff[f"asesor.{_slug(ocana)}"]
            favorito = self.suppliers[ocana.id][0]
            start = max(date(hasta.year, 1, 1), hasta - timedelta(days=150))
            for _ in range(5 + count // 100):
                self.planted_person(asesor, ocana, start, hasta, "concentracion", proveedor=favorito)
                made += 1
        if otro:  # the same fixed charge in most of the centre's plans
            asesor = staff[f"asesor.{_slug(otro)}"]
            for _ in range(3 + count // 100):
                self.planted_person(asesor, otro, hasta - timedelta(days=self.rng.randint(90, 400)), hasta,
                                    "cargo_fijo", plan_extra=[CARGO_FIJO])
                made += 1
        return made

    def plant_duplicates(self, asesor: Staff, centro: Centro) -> int:
        """The same person registered twice, three ways: a one-digit typo in the cédula (and the
        day and month of birth swapped), the tarjeta de identidad of their youth (same number,
        the year of birth mistyped), another number under the same name and birth date."""
        made = 0
        for kind in ("typo", "ti", "otro_numero"):
            data = self.person_data(centro)
            born = date.fromisoformat(data["fecha_nacimiento"])
            if kind == "ti" or born.day > 12 or data["tipo_documento"] != "CC":
                born = self.hasta - timedelta(days=self.rng.randint(19 * 366, 24 * 365))
                born = born.replace(day=self.rng.randint(1, 12)) if kind == "typo" else born
                data.update(tipo_documento="CC", fecha_nacimiento=born.isoformat(),
                            numero_documento=str(self.rng.randint(1_000_000_000, 1_099_999_999)))
            first = participantes.register(asesor, dict(data), today=self.hasta)
            numero = data["numero_documento"]
            if kind == "typo":
                swapped = born.replace(month=born.day, day=born.month)
                twin = {**data, "numero_documento": numero[:-2] + str((int(numero[-2]) + 1) % 10) + numero[-1],
                        "fecha_nacimiento": (swapped if swapped != born else born + timedelta(days=1)).isoformat()}
            elif kind == "ti":
                twin = {**data, "tipo_documento": "TI",
                        "fecha_nacimiento": born.replace(year=born.year + 1, day=min(born.day, 28)).isoformat()}
            else:
                twin = {**data, "numero_documento": str(int(numero) + self.rng.randint(10_000, 90_000))}
            second = participantes.register(asesor, twin, today=self.hasta)
            for person, days in ((first, 120), (second, 30)):
                itinerario.register(asesor, person.id, {
                    "tipo": Tipo.CARACTERIZACION, "situacion": "busca_empleo",
                    "fecha": (self.hasta - timedelta(days=days)).isoformat()}, today=self.hasta)
            made += 2
        return made

    def empleabilidad(self, add: Callable, day: date, vacantes_ids: list[int]) -> None:
        rng = self.rng
        if rng.random() < 0.6:
            add(Tipo.CAPACITACION_FIS, self.day(day, 3, 30), curso=rng.choice(["Habilidades blandas", "Servicio al cliente", "Entrevista de trabajo"]))
        cv = add(Tipo.HOJA_DE_VIDA, self.day(day, 1, 20), plataforma=rng.choice(["spe", "ape_sena"]), codigo=str(rng.randint(100000, 999999)))
        if cv is None or not vacantes_ids or rng.random() < 0.5:
            return
        vacante = rng.choice(vacantes_ids)
        sent = add(Tipo.REMISION_SELECCION, self.day(cv, 2, 30), vacante_id=vacante)
        if sent and rng.random() < 0.35:
            add(Tipo.COLOCACION, self.day(sent, 5, 30), vacante_id=vacante)
        return


def _ensure_account(username: str, nombre: str, rol: str, centro: Centro | None,
                    password: str | None) -> Staff:
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        staff = Staff(username=username, nombre=nombre, rol=rol, centro_id=centro.id if centro else None,
                      password_hash=hash_password(password) if password else _unknown_password_hash(),
                      activo=True)
        db.session.add(staff)
        db.session.flush()
    return staff


@cache
def _unknown_password_hash() -> str:
    """The unprinted accounts' hash, of a random password nobody is told (hashed once: argon2 is
    deliberately slow, and the sixteen other centres' asesores would take seconds)."""
    return hash_password(secrets.token_urlsafe(24))


def _slug(centro: Centro) -> str:
    text = unicodedata.normalize("NFKD", centro.ciudad.lower())
    return "".join(c for c in text if c.isalnum())


def accounts() -> dict[str, Staff]:
    """The demo accounts, created when missing; the printed ones share DEMO_PASSWORD."""
    import_centros()
    centros = {c.nombre: c for c in db.session.scalars(select(Centro))}
    made = {
        "admin": _ensure_account("admin", "Administración Red Cemprende", "admin", None, DEMO_PASSWORD),
        "supervisor.pnud": _ensure_account("supervisor.pnud", "Supervisión PNUD", "supervisor", None, DEMO_PASSWORD),
    }
    for nombre in DEMO_CENTRES:
        centro = centros[nombre]
        made[f"director.{_slug(centro)}"] = _ensure_account(
            f"director.{_slug(centro)}", f"Dirección {centro.nombre}", "director", centro, DEMO_PASSWORD)
    for centro in centros.values():
        printed = centro.nombre in DEMO_CENTRES
        made[f"asesor.{_slug(centro)}"] = _ensure_account(
            f"asesor.{_slug(centro)}", f"Asesor {centro.nombre}", "asesor", centro,
            DEMO_PASSWORD if printed else None)
    return made


REJECTION_REASONS = ["Falta la firma de la persona.", "El documento está ilegible.",
                     "La fecha no coincide con la actuación.", "Corresponde a otra persona."]


def demo_document(text: str, image: bool) -> bytes:
    """A small real PDF (or a PNG for the cédula), so the demo's documents open and preview."""
    out = io.BytesIO()
    if image:
        picture = Image.new("RGB", (420, 260), (232, 238, 244))
        ImageDraw.Draw(picture).text((20, 120), f"Cédula de ciudadanía {text}", fill=(20, 40, 80))
        picture.save(out, "PNG")
    else:
        page = canvas.Canvas(out, pagesize=PRINT_PAGE)
        page.drawString(72, 760, f"Documento verificador de demostración: {text}")
        page.save()
    return out.getvalue()


def load(count: int, seed: int, hasta: date, progress: Callable[[int], None] = lambda n: None,
         problemas: bool = True) -> str:
    """`count` people of the centres' regions with itineraries over the 18 months up to `hasta`;
    from PLANTED_FROM people on (and with problemas), some of them carry planted integrity
    problems (see DemoBuilder.plant)."""
    builder = DemoBuilder(seed, hasta)
    staff = accounts()
    builder.supervisor = staff["supervisor.pnud"]
    before = db.session.scalar(select(func.count()).select_from(Actuacion))
    # People go only to the centres opened by then (Montería and Yopal have no opening date).
    centros = list(db.session.scalars(select(Centro).where(Centro.abierto_al(hasta)).order_by(Centro.id)))
    vacantes_por_centro: dict[int, list[int]] = {}
    for centro in centros:
        asesor = staff[f"asesor.{_slug(centro)}"]
        ids = []
        for empresa, cargo in builder.rng.sample(EMPRESAS, 3):
            when = hasta - timedelta(days=builder.rng.randint(30, 400))
            ids.append(vacantes.create(asesor, {"empresa": empresa, "cargo": cargo,
                                                "cupos": builder.rng.randint(2, 8),
                                                "nivel": builder.rng.choice(list(NIVELES)),
                                                "fecha": when.isoformat()}, today=hasta).id)
        vacantes_por_centro[centro.id] = ids
        builder.directory(asesor)
        if count:
            builder.register_suppliers(asesor, centro)
    planted = builder.plant(staff, centros, count) if problemas and count >= PLANTED_FROM else 0
    progress(planted)
    weights = [3 if c.nombre in DEMO_CENTRES else 1 for c in centros]
    for _ in range(count - planted):
        centro = builder.rng.choices(centros, weights)[0]
        asesor = staff[f"asesor.{_slug(centro)}"]
        person = participantes.register(asesor, builder.person_data(centro), today=hasta)
        start = hasta - timedelta(days=builder.rng.randint(0, DAYS_BACK))
        builder.itinerary(asesor, person.id, start, vacantes_por_centro[centro.id])
        builder.documents(asesor, staff["supervisor.pnud"], person)
        progress(1)
    _demo_metas(builder, staff["admin"], centros, count)
    actuaciones = db.session.scalar(select(func.count()).select_from(Actuacion)) - before
    return f"Datos demo: {count} participantes, {actuaciones} actuaciones, {len(centros)} centros."


# Rough yearly metas of a centre of average size, for a demo of `count` participants spread over
# 18 months; each centre gets them scaled by a random factor.
METAS_BASE = {"1.1": 0.55, "1.2": 0.3, "1.3": 0.3, "1.4": 0.25, "8": 0.3, "11": 0.04, "13": 0.25,
              "15.1": 0.05, "17.1": 0.1, "M1.n": 0.08, "M2.n": 0.08, "M3.n": 0.06, "M4.n": 0.06,
              "M6": 0.12}
MONEY_PER_PLAN = 1_500_000


def _demo_metas(builder: DemoBuilder, admin: Staff, centros: list[Centro], count: int) -> None:
    year = builder.hasta.year
    vigencia = {"nombre": f"Vigencia {year}", "desde": f"{year}-01-01", "hasta": f"{year}-12-31"}
    per_centre = count / max(len(centros), 1) * 12 / 18
    for centro in centros:
        scale = builder.rng.uniform(0.7, 1.4) * per_centre
        metas = {code: max(1, round(share * scale)) for code, share in METAS_BASE.items()}
        for code in ("M1", "M2", "M3", "M4"):
            metas[f"{code}.v"] = metas[f"{code}.n"] * MONEY_PER_PLAN
        tableros.set_metas(admin, {"centro_id": centro.id, "vigencia": vigencia, "metas": metas})


def login_lines() -> list[str]:
    """The demo logins as a table: username, role, centre; one shared password."""
    staff = accounts()
    db.session.commit()
    printed = ["admin", "supervisor.pnud"] + [
        key for key in staff if key.startswith("director.")] + [
        key for key, s in staff.items()
        if key.startswith("asesor.") and s.centro and s.centro.nombre in DEMO_CENTRES]
    rows = [(staff[key].username, staff[key].rol_nombre,
             staff[key].centro.nombre if staff[key].centro else "Toda la red") for key in printed]
    headers = ("Usuario", "Rol", "Centro")
    widths = [max(len(row[n]) for row in [headers, *rows]) for n in range(3)]

    def line(cells) -> str:
        return "  " + "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    return ["", "Cuentas de demostración", line(headers), line(["-" * w for w in widths]),
            *[line(row) for row in rows], "",
            f"Contraseña (la misma para todas): {DEMO_PASSWORD}",
            "Los asesores de los demás centros no tienen contraseña conocida."]
