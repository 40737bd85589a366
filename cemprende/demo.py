"""Demo people with realistic itineraries, built through the same services as the pages."""
from __future__ import annotations

import io
import random
import secrets
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta

from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas
from sqlalchemy import select

from .admin.services import import_centros
from .auth.passwords import hash_password
from .empleabilidad import services as vacantes
from .errors import DomainError
from .extensions import db
from .itinerario import services as itinerario
from .models import Centro, Staff
from .models.vacante import NIVELES
from .participantes import services as participantes
from .printouts import PAGE as PRINT_PAGE
from .referenciacion import services as referenciacion
from .verificadores import carga as cargas, cobertura, revision
from .tableros import services as tableros
from .itinerario.tipos import ClaseVisita, Decision, Tipo

# Demo-only accounts for a local database; demo-data refuses to run in production.
# Bandit B105: published demo login; demo-data refuses production
DEMO_PASSWORD = "Cemprende-demo-2026"  # nosec B105
DEMO_CENTRES = ("Cemprende Cartagena", "COEE Ocaña")

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
NEGOCIOS = ["Tienda {a}", "Confecciones {a}", "Panadería La {b}", "Peluquería {a}",
            "Artesanías {b}", "Comidas rápidas {a}", "Miscelánea {b}", "Taller {a}"]
ITEMS = [("Nevera exhibidora", 1_850_000), ("Máquina de coser industrial", 1_450_000),
         ("Horno a gas", 2_100_000), ("Estantería metálica", 380_000),
         ("Silla de peluquería", 520_000), ("Mercancía inicial", 900_000),
         ("Licuadora industrial", 640_000), ("Vitrina", 750_000)]
PROVEEDORES = [("Distribuidora del Caribe S.A.S.", "900123456"), ("Ferretería El Progreso", "800456789"),
               ("Almacén La Economía", "890321654"), ("Equipos y Hogar Ltda.", "830987123")]
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
        self.documentos: set[str] = set()

    def day(self, start: date, min_days: int = 0, max_days: int = 30) -> date | None:
        result = start + timedelta(days=self.rng.randint(min_days, max_days))
        return result if result <= self.hasta else None

    def person_data(self, centro: Centro) -> dict:
        rng = self.rng
        sexo = rng.choices(["F", "M", "I", None], [58, 40, 0.5, 1.5])[0]
        nombres = rng.choice(NOMBRES_F if sexo == "F" else NOMBRES_M)
        while True:
            numero = str(rng.randint(1_000_000, 1_199_999_999))
            if numero not in self.documentos:
                self.documentos.add(numero)
                break
        dps = rng.random() < 0.35
        return {
            "tipo_documento": "CC", "numero_documento": numero, "nombres": nombres,
            "apellidos": f"{rng.choice(APELLIDOS)} {rng.choice(APELLIDOS)}", "sexo": sexo,
            "fecha_nacimiento": (self.hasta - timedelta(days=rng.randint(18 * 365, 66 * 365))).isoformat(),
            "municipio": centro.ciudad, "telefono": f"3{rng.randint(0, 2)}{rng.randint(10_000_000, 99_999_999)}",
            "correo": None,
            "etnia": rng.choices(["ninguno", "afrodescendiente", "indigena", "raizal", "rrom", None],
                                 [55, 25, 8, 2, 1, 9])[0],
            "discapacidad": rng.choices([False, True, None], [85, 7, 8])[0],
            "desplazamiento": rng.choices([False, True, None], [55, 38, 7])[0],
            "tipo_poblacion": rng.choices(["red_unidos", "sisben", "otros_vulnerables", "no_vulnerables", None],
                                          [45, 30, 12, 5, 8])[0],
            "remitido_dps": dps, "programa_dps": rng.choice(["RIE 2013", "Mi Negocio", "Ingreso Social"]) if dps else None,
            "consentimiento_datos": True, "centro_id": centro.id,
        }

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
            self.emprendimiento(add, day)
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

    def emprendimiento(self, add: Callable, day: date) -> None:
        rng = self.rng
        ruta = rng.choices(["emprende", "fortalece", "desarrolla", "transforma"], [50, 30, 15, 5])[0]
        day = add(Tipo.INGRESO_RUTA, self.day(day, 0, 15), ruta=ruta)
        if day is None or rng.random() < 0.3:
            return
        negocio = rng.choice(NEGOCIOS).format(a=rng.choice(APELLIDOS), b=rng.choice(["Esperanza", "Fe", "Bendición"]))
        day = add(Tipo.PERFIL_PROYECTO, self.day(day, 5, 30), nombre_negocio=negocio, sector=rng.choice(SECTORES))
        if day is None:
            return
        if rng.random() < 0.4:
            add(Tipo.FORTALECIMIENTO_SEDE, self.day(day, 0, 30), tema=rng.choice(["Costos", "Mercadeo", "Contabilidad básica"]))
        if rng.random() < 0.5:
            return
        items = [{"descripcion": d, "cantidad": rng.randint(1, 2), "precio_unitario": p}
                 for d, p in rng.sample(ITEMS, rng.randint(1, 3))]
        total = sum(i["cantidad"] * i["precio_unitario"] for i in items)
        day = add(Tipo.PLAN_NEGOCIO, self.day(day, 10, 40), nombre_negocio=negocio, valor_solicitado=total, items=items)
        if day is None or rng.random() < 0.35:
            return
        day = add(Tipo.VISITA_ACOMPANAMIENTO, self.day(day, 3, 20), clase=ClaseVisita.DIAGNOSTICO)
        day = add(Tipo.PLAN_AJUSTADO, self.day(day, 1, 15) if day else None, valor=total, items=items)
        if day is None:
            return
        decision = rng.choices([Decision.APROBADO, Decision.RECHAZADO, Decision.APLAZADO], [75, 10, 15])[0]
        day = add(Tipo.COMITE, self.day(day, 5, 30), decision=decision, valor=total, acta=f"ACA-{rng.randint(1, 99):02d}")
        if day is None or decision != Decision.APROBADO:
            return
        add(Tipo.FINANCIACION, day, modalidad="directo", valor=total)
        proveedor, nit = rng.choice(PROVEEDORES)
        day = add(Tipo.DESEMBOLSO, self.day(day, 10, 60), valor=total, proveedor=proveedor, nit=nit, items=items)
        if day is None:
            return
        add(Tipo.PLAN_IMPLEMENTADO, self.day(day, 5, 30))
        visita = add(Tipo.VISITA_ACOMPANAMIENTO, self.day(day, 20, 90), clase=ClaseVisita.SEGUIMIENTO)
        if visita:
            add(Tipo.CONTROL_INVERSION, visita, observaciones="Bienes encontrados en uso.")
        if rng.random() < 0.3:
            add(Tipo.FORMALIZACION, self.day(day, 30, 120), registro="Matrícula mercantil")
        if rng.random() < 0.6:
            add(Tipo.EMPLEO_GENERADO, self.day(day, 30, 120), autoempleos=1, directos=rng.randint(0, 2))
        return

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
                      password_hash=hash_password(password or secrets.token_urlsafe(24)), activo=True)
        db.session.add(staff)
        db.session.flush()
    return staff


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


def load(count: int, seed: int, hasta: date, progress: Callable[[int], None] = lambda n: None) -> str:
    builder = DemoBuilder(seed, hasta)
    staff = accounts()
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
    weights = [3 if c.nombre in DEMO_CENTRES else 1 for c in centros]
    actuaciones = 0
    for _ in range(count):
        centro = builder.rng.choices(centros, weights)[0]
        asesor = staff[f"asesor.{_slug(centro)}"]
        person = participantes.register(asesor, builder.person_data(centro), today=hasta)
        start = hasta - timedelta(days=builder.rng.randint(0, 540))
        actuaciones += builder.itinerary(asesor, person.id, start, vacantes_por_centro[centro.id])
        builder.documents(asesor, staff["supervisor.pnud"], person)
        progress(1)
    _demo_metas(builder, staff["admin"], centros, count)
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
    staff = accounts()
    db.session.commit()
    lines = ["", "Cuentas de demostración (contraseña para todas: " + DEMO_PASSWORD + "):"]
    printed = ["admin", "supervisor.pnud"] + [
        key for key in staff if key.startswith("director.")] + [
        key for key, s in staff.items()
        if key.startswith("asesor.") and s.centro and s.centro.nombre in DEMO_CENTRES]
    for key in printed:
        s = staff[key]
        centro = f" — {s.centro.nombre}" if s.centro else ""
        lines.append(f"  {s.rol_nombre:<28} {s.username}{centro}")
    return lines
