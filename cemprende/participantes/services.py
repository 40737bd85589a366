"""Registering, finding and editing participants."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import (and_, delete, event, false, func, inspect, intersect, literal_column, or_,
                        select)
from sqlalchemy import update as update_statement
from sqlalchemy.orm import Session

from .. import audit
from ..auth.guards import (
    Accion, can_see_centro, centre_scope, centro_for_write, ensure, scoped_select, visible_or_404,
)
from ..errors import Conflict, DomainError, ValidationFailed
from ..extensions import db
from ..models import MunicipioAlias, Participante, ParticipantePalabra
from ..models.base import utcnow
from ..pagination import Page, paginate
from ..models.participante import (CATEGORIAS_DIFERENCIALES, ETNIAS, SENSIBLES, SEXOS,
                                   TIPOS_DOCUMENTO, TIPOS_POBLACION, ZONAS)
from ..scoping import ALL_CENTRES_OPTION
from ..validation import Fields, check_version
from ..itinerario.dia import today_bogota
from ..locking import insert_returning_ids, insert_rows
from ..membership import among

NUMERIC_DOCUMENTS = {"CC", "TI", "RC"}
MIN_AGE, MAX_AGE = 14, 110
ADULT_AGE = 18
EDITABLE_FIELDS = tuple(f for f in Participante.FIELDS if f not in ("consentimiento_datos", "centro_id"))


class DuplicateDocument(Conflict):
    code = "duplicado"


def normalise_document(raw: str) -> str:
    """1.098.765-432 and 1098765432 are the same document."""
    return re.sub(r"[\s.\-]", "", raw or "").upper()


def search_key(nombres: str, apellidos: str) -> str:
    text = unicodedata.normalize("NFKD", f"{nombres} {apellidos}".lower())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def name_words(key: str) -> set[str]:
    return {word[:60] for word in key.split()}


def _index_name(person: Participante) -> None:
    """Keeps the participant's name words in step with its name (same transaction)."""
    db.session.execute(delete(ParticipantePalabra)
                       .where(ParticipantePalabra.participante_id == person.id))
    db.session.add_all(ParticipantePalabra(participante_id=person.id, palabra=word,
                                           centro_id=person.centro_id)
                       for word in name_words(person.nombre_busqueda))


@event.listens_for(Session, "before_flush")
def _words_follow_centre(session: Session, _context, _instances) -> None:
    """A person who changes centre (a traslado) takes the copies of its centre in its name words
    along, in the same flush: the new centre's search finds it at once, the old one no longer."""
    for person in session.dirty:
        if not isinstance(person, Participante):
            continue
        moved = inspect(person).attrs.centro_id.history
        if moved.has_changes() and moved.added and person.id is not None:
            session.execute(update_statement(ParticipantePalabra)
                            .where(ParticipantePalabra.participante_id == person.id)
                            .values(centro_id=moved.added[0]))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _check_fields(data: dict, today: date, *, partial: bool = False) -> dict:
    """Validated, normalised values; with partial=True only the fields present are checked."""
    f = Fields(data)

    def wanted(name: str) -> bool:
        return not partial or f.present(name)

    if wanted("tipo_documento") or wanted("numero_documento"):
        tipo = f.choice("tipo_documento", TIPOS_DOCUMENTO)
        raw = data.get("numero_documento")
        if not isinstance(raw, (str, int)) or isinstance(raw, bool) or not str(raw).strip():
            f.fail("numero_documento", "Escriba el número de documento.")
        else:
            numero = normalise_document(str(raw))
            if tipo in NUMERIC_DOCUMENTS and not re.fullmatch(r"\d{3,15}", numero):
                f.fail("numero_documento", "Para CC, TI y RC use solo dígitos (entre 3 y 15).")
            elif not re.fullmatch(r"[A-Z0-9]{3,20}", numero):
                f.fail("numero_documento", "Use solo letras y dígitos (entre 3 y 20).")
            else:
                f.clean["numero_documento"] = numero
    if wanted("nombres"):
        f.text("nombres", max_length=100)
    if wanted("apellidos"):
        f.text("apellidos", max_length=100)
    if wanted("sexo"):
        f.choice("sexo", SEXOS, required=False)
    if wanted("fecha_nacimiento"):
        born = f.date("fecha_nacimiento", not_future=True, today=today,
                      earliest=_years_before(today, MAX_AGE))
        if born is not None and born > _years_before(today, MIN_AGE):
            f.errors["fecha_nacimiento"] = f"La persona debe tener al menos {MIN_AGE} años."
            f.clean.pop("fecha_nacimiento")
    if wanted("acudiente_nombre"):
        f.text("acudiente_nombre", required=False, max_length=100)
    if wanted("acudiente_documento"):
        f.text("acudiente_documento", required=False, max_length=20,
               pattern=r"[A-Za-z0-9 .\-]{3,20}",
               pattern_message="Use letras y dígitos del documento del acudiente.")
        if f.clean.get("acudiente_documento"):
            f.clean["acudiente_documento"] = normalise_document(f.clean["acudiente_documento"])
    born = f.clean.get("fecha_nacimiento")
    if not partial and born is not None and born > _years_before(today, ADULT_AGE):
        for name in ("acudiente_nombre", "acudiente_documento"):
            if not f.clean.get(name):
                f.fail(name, "Para una persona menor de 18 años registre el acudiente que "
                             "autoriza el tratamiento de sus datos.")
    if wanted("municipio"):
        f.text("municipio", max_length=80)
    if wanted("telefono"):
        f.text("telefono", required=False, max_length=20, pattern=r"\+?[\d ]{7,20}",
               pattern_message="Escriba solo dígitos (7 a 15), por ejemplo 3001234567.")
        if f.clean.get("telefono"):
            f.clean["telefono"] = f.clean["telefono"].replace(" ", "")
    if wanted("correo"):
        correo = f.text("correo", required=False, max_length=254)
        if correo:
            try:
                f.clean["correo"] = validate_email(correo, check_deliverability=False).normalized
            except EmailNotValidError:
                f.fail("correo", "El correo electrónico no es válido.")
    if wanted("etnia"):
        f.choice("etnia", ETNIAS, required=False)
    if wanted("discapacidad"):
        f.boolean("discapacidad")
    if wanted("desplazamiento"):
        f.boolean("desplazamiento")
    if wanted("tipo_poblacion"):
        f.choice("tipo_poblacion", TIPOS_POBLACION, required=False)
    if wanted("zona"):
        f.choice("zona", ZONAS, required=False)
    for name in CATEGORIAS_DIFERENCIALES:
        if wanted(name):
            f.boolean(name)
    if wanted("remitido_dps"):
        f.clean["remitido_dps"] = bool(f.boolean("remitido_dps"))
    if wanted("programa_dps"):
        f.text("programa_dps", required=False, max_length=120)
        if f.clean.get("remitido_dps") and not f.clean.get("programa_dps") and not partial:
            f.fail("programa_dps", "Indique el programa DPS que remitió a la persona.")
    f.raise_if_errors()
    return f.clean


def _require_consent(data: dict) -> None:
    if data.get("consentimiento_datos") not in (True, "true", "on", "si", "sí", "1"):
        raise DomainError(
            "Sin la autorización de tratamiento de datos (Ley 1581 de 2012) no se puede "
            "guardar ningún dato de la persona.",
            {"consentimiento_datos": "La persona debe autorizar el tratamiento de sus datos."},
        )


def check_fields(data: dict, today: date) -> dict:
    """Registration's checks and normalisation, for doors that bring many people at once (an
    import judges each row with them before anything is written)."""
    return _check_fields(data, today)


def field_checker(fields: tuple[str, ...], today: date):
    """`check_fields` for many rows that all name the same `fields` (an import's rows): the fields
    they do not name come out the same for every row, so they are checked once, on a reference
    row, and each row's own fields with the partial check. A row the partial check refuses, or a
    minor (the one rule tying a named field to unnamed ones: the acudiente), gets the full check,
    so the values, the errors and their order are always `check_fields`'s."""
    reference = {name: None for name in fields} | {
        "tipo_documento": "CC", "numero_documento": "1000000", "nombres": "A", "apellidos": "B",
        "fecha_nacimiento": _years_before(today, ADULT_AGE + 10), "municipio": "C"}
    if set(reference) != set(fields):
        return lambda data: _check_fields(data, today)
    full = _check_fields(reference, today)
    order = list(full)
    constant = {name: value for name, value in full.items() if name not in reference}
    adult_from = _years_before(today, ADULT_AGE)

    def check(data: dict) -> dict:
        if data.keys() != reference.keys():
            return _check_fields(data, today)
        try:
            clean = _check_fields(data, today, partial=True)
        except ValidationFailed:
            return _check_fields(data, today)  # raises the full check's errors, in its order
        born = clean.get("fecha_nacimiento")
        merged = clean | constant
        if (born is not None and born > adult_from) or merged.keys() != full.keys():
            return _check_fields(data, today)
        return {name: merged[name] for name in order}

    return check


# An imported person has not authorised the processing of their data yet: staff record it at first
# contact (PATCH consentimiento_datos true); until then only the remission and contact attempts.
CONSENT_PENDING_VERSION = "pendiente"


def register_unconsented(actor, centro_id: int, people: list[dict], *,
                         atestados: list[bool] | None = None, version: str | None = None
                         ) -> list[Participante]:
    """People a DPS list brings (already checked with check_fields), without consent yet: one
    INSERT for the people, one for their name words, one for their audit entries. Registration
    through the form and the API still requires the consent (`register`). Answers the people
    created, in order.

    A legacy base (importaciones tipo legado) may attest the consent the centre collected when it
    served them: `atestados[i]` true records person i with consent given by the importer
    (`consentimiento_por_id`), under `version` (which names the import)."""
    ensure(actor, Accion.EDITAR_ITINERARIO, centro_id)
    if not people:
        return []
    now = utcnow()
    optional = {name: None for name in EDITABLE_FIELDS}
    atestados = atestados or [False] * len(people)
    rows = [{**optional, "remitido_dps": False, **values, "centro_id": centro_id,
             "nombre_busqueda": search_key(values["nombres"], values["apellidos"]),
             "consentimiento_datos": bool(atestado), "consentimiento_en": now,
             "consentimiento_por_id": actor.id if atestado else None,
             "consentimiento_version": (version or CONSENT_PENDING_VERSION)[:20]
             if atestado else CONSENT_PENDING_VERSION,
             "creado_por_id": actor.id, "creado_en": now, "actualizado_en": now, "version": 1}
            for values, atestado in zip(people, atestados)]
    ids = insert_returning_ids(Participante, rows, copy=True)
    words = [{"participante_id": new_id, "palabra": word, "centro_id": centro_id}
             for new_id, row in zip(ids, rows) for word in name_words(row["nombre_busqueda"])]
    insert_rows(ParticipantePalabra.__table__, words)
    audit.record_many("crear", actor=actor, entidad="participante", centro_id=centro_id,
                      entries=[(new_id, None, {**values, "consentimiento_datos": bool(atestado)})
                               for new_id, values, atestado in zip(ids, people, atestados)],
                      detalle="importación")
    found = {p.id: p for p in db.session.scalars(
        select(Participante).where(among(Participante.id, ids))
        .execution_options(**{ALL_CENTRES_OPTION: True}))}
    return [found[new_id] for new_id in ids]


def find_by_documents(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Participante]:
    """Across every centre, in one query: the people an import names (by tipo and número)."""
    if not keys:
        return {}
    found = db.session.scalars(
        select(Participante)
        .where(among(Participante.numero_documento, {numero for _, numero in keys}))
        .execution_options(**{ALL_CENTRES_OPTION: True}))
    return {(p.tipo_documento, p.numero_documento): p for p in found
            if (p.tipo_documento, p.numero_documento) in keys}


def find_by_document(tipo: str, numero: str) -> Participante | None:
    """Across every centre: used only to refuse duplicates."""
    return db.session.scalar(
        select(Participante)
        .where(Participante.tipo_documento == tipo, Participante.numero_documento == numero)
        .execution_options(**{ALL_CENTRES_OPTION: True})
    )


@dataclass
class Ubicacion:
    """Where a document is registered, as much as the caller may know: the person's id when it
    may see them, otherwise only the centre's name (so a transfer can be asked)."""

    tipo_documento: str
    numero_documento: str
    centro_id: int
    centro_nombre: str
    participante_id: int | None


def _located(actor, person: Participante) -> Ubicacion:
    visible = can_see_centro(actor, person.centro_id)
    return Ubicacion(person.tipo_documento, person.numero_documento, person.centro_id,
                     person.centro.nombre, person.id if visible else None)


def _record_lookup(actor, person: Participante, *, now: bool) -> None:
    """A look-up that told the caller another centre holds this document is audited."""
    # Read before record_now rolls back (which expires the person).
    entry = dict(actor=actor, entidad="participante", entidad_id=person.id,
                 centro_id=person.centro_id,
                 detalle="Consulta de documento registrado en otro centro")
    audit.record_now("consultar_documento", **entry) if now else audit.record(
        "consultar_documento", **entry)


def locate(actor, numero: str, tipo: str | None = None) -> list[Ubicacion]:
    """Early warning at intake: every registration of this document number (any tipo unless
    given), across centres; what belongs to another centre names only the centre (audited)."""
    ensure(actor, Accion.EDITAR_ITINERARIO)
    numero = normalise_document(numero)
    if not re.fullmatch(r"[A-Z0-9]{3,20}", numero):
        return []
    statement = (select(Participante).where(Participante.numero_documento == numero)
                 .order_by(Participante.tipo_documento)
                 .execution_options(**{ALL_CENTRES_OPTION: True}))
    if tipo:
        statement = statement.where(Participante.tipo_documento == tipo)
    found = []
    for person in db.session.scalars(statement):
        place = _located(actor, person)
        if place.participante_id is None:
            _record_lookup(actor, person, now=False)
        found.append(place)
    return found


def _refuse_duplicate(actor, tipo: str, numero: str, except_id: int | None = None) -> None:
    existing = find_by_document(tipo, numero)
    if existing is None or existing.id == except_id:
        return
    scope = centre_scope(actor)
    if scope is None or existing.centro_id == scope:
        raise DuplicateDocument(
            "Ya existe una persona registrada con ese documento.",
            {"numero_documento": "Documento ya registrado."},
            participante_id=existing.id,
        )
    centro = existing.centro.nombre
    centro_id = existing.centro_id
    _record_lookup(actor, existing, now=True)  # the request fails, the entry stays
    raise DuplicateDocument(
        f"Esa persona ya está registrada en otro centro: {centro}. Puede solicitar su traslado.",
        {"numero_documento": f"Registrado en {centro}."},
        participante_id=None, centro=centro, centro_id=centro_id,
    )


def register(actor, data: dict, today: date | None = None) -> Participante:
    today = today or today_bogota()
    centro_id = centro_for_write(actor, data.get("centro_id"), Accion.EDITAR_ITINERARIO)
    values = _check_fields(data, today)
    _require_consent(data)
    _refuse_duplicate(actor, values["tipo_documento"], values["numero_documento"])
    now = utcnow()
    person = Participante(
        **values,
        centro_id=centro_id,
        nombre_busqueda=search_key(values["nombres"], values["apellidos"]),
        consentimiento_datos=True,
        consentimiento_en=now,
        consentimiento_por_id=actor.id,
        consentimiento_version=current_app.config["CONSENT_NOTICE_VERSION"],
        creado_por_id=actor.id,
        creado_en=now,
        actualizado_en=now,
    )
    _apply_mapped_place(person)
    audit.add_audited(person, actor=actor, entidad="participante", centro_id=centro_id,
                      values=values)
    _index_name(person)
    return person


def get_visible(actor, participante_id: int) -> Participante:
    """The participant, or NotFound when it does not exist or belongs to another centre."""
    return visible_or_404(actor, Participante, participante_id, "No se encontró la persona.")


def get_editable(actor, participante_id: int) -> Participante:
    """The participant, when the caller may change its itinerary (404 another centre, 403 a role)."""
    person = get_visible(actor, participante_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, person.centro_id)
    return person


def update(actor, participante_id: int, data: dict, today: date | None = None) -> Participante:
    today = today or today_bogota()
    person = get_visible(actor, participante_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, person.centro_id)
    check_version(data, person.version)
    if "centro_id" in data and data["centro_id"] not in (None, person.centro_id):
        raise ValidationFailed({"centro_id": "El centro de una persona no se cambia aquí."})
    values = _check_fields({k: v for k, v in data.items() if k in EDITABLE_FIELDS}, today,
                           partial=True)
    _refuse_revoked_sensitive(person, values)
    consent = _consent_given(data)
    merged_tipo = values.get("tipo_documento", person.tipo_documento)
    merged_numero = values.get("numero_documento", person.numero_documento)
    _refuse_duplicate(actor, merged_tipo, merged_numero, except_id=person.id)
    new_key = search_key(values.get("nombres", person.nombres),
                         values.get("apellidos", person.apellidos))
    renamed = new_key != person.nombre_busqueda
    # Where a routed person counts in rows 1.x to 6.x follows from the flush (tableros.resumen).
    person.nombre_busqueda = new_key
    person.actualizado_en = utcnow()
    audit.update_audited(person, values, actor=actor, entidad="participante",
                         centro_id=person.centro_id)
    _apply_mapped_place(person)
    if renamed:
        _index_name(person)
    if consent and not person.consentimiento_datos:
        _record_consent(actor, person)
    return person


def _consent_given(data: dict) -> bool:
    """PATCH may record the consent (true), never withdraw it."""
    if "consentimiento_datos" not in data:
        return False
    value = data["consentimiento_datos"]
    if value in (True, "true", "on", "si", "sí", "1"):
        return True
    raise ValidationFailed({"consentimiento_datos":
                            "La autorización de datos solo se registra (true); no se retira aquí."})


def _record_consent(actor, person: Participante) -> None:
    now = utcnow()
    audit.update_audited(person, {
        "consentimiento_datos": True, "consentimiento_en": now, "consentimiento_por_id": actor.id,
        "consentimiento_version": current_app.config["CONSENT_NOTICE_VERSION"],
    }, actor=actor, entidad="participante", centro_id=person.centro_id)


def record_consent(actor, participante_id: int) -> Participante:
    """The person authorises the processing of their data (first contact of a remitted person)."""
    person = get_editable(actor, participante_id)
    if not person.consentimiento_datos:
        person.actualizado_en = utcnow()
        _record_consent(actor, person)
    return person


def _apply_mapped_place(person: Participante) -> None:
    """A spelling of the municipality an administrator already mapped gives the person its
    place (the catalogue's own spellings are matched by the model itself)."""
    if person.subregion is None and person.municipio_clave:
        alias = db.session.get(MunicipioAlias, person.municipio_clave)
        if alias is not None:
            person.municipio_oficial, person.subregion = alias.municipio_oficial, alias.subregion


def _refuse_revoked_sensitive(person: Participante, values: dict) -> None:
    if person.sensibles_revocado_en is None:
        return
    refused = {name: "La persona revocó la autorización de sus datos sensibles: este dato no se "
                     "registra mientras no la otorgue de nuevo."
               for name in SENSIBLES if values.get(name) is not None}
    if refused:
        raise ValidationFailed(refused)


def search(actor, *, q: str | None = None, documento: str | None = None,
           page: int = 1, per_page: int = 25) -> Page:
    """The caller's people matching a document and/or a name, newest registered first."""
    words = _name_words_only(q) if not documento else None
    if words:
        return _search_by_words(actor, words, page, per_page)
    statement = scoped_select(actor, Participante)
    if documento:
        statement = statement.where(Participante.numero_documento == normalise_document(documento))
    if q and q.strip():
        statement = statement.where(matches(q))
    return paginate(statement.order_by(Participante.id.desc()), page, per_page)


def _name_words_only(q: str | None) -> list[str] | None:
    """The words of q when it can only be a name (not a document's digits)."""
    if not q or not q.strip() or _document_like(normalise_document(q)):
        return None
    return query_words(q) or None


MAX_QUERY_WORDS = 12


def query_words(q: str) -> list[str]:
    """The name words of a search (digits are a document's, not a name's), each once."""
    words = list(dict.fromkeys(w[:60] for w in search_key(q, "").split() if not w.isdigit()))
    if len(words) > MAX_QUERY_WORDS:
        # Each word is a condition of its own: a pasted paragraph must not become a query of
        # hundreds (SQLite refuses more than 500 terms in a compound SELECT).
        raise ValidationFailed({"q": f"Escriba como máximo {MAX_QUERY_WORDS} palabras del nombre."})
    return words


def _search_by_words(actor, words: list[str], page: int, per_page: int) -> Page:
    """Counted and paged on the name-word index alone (with the centre copied in it): the
    people's rows are read for the page only. Joining every match to participante first made a
    common name cost a scan of the whole table (hundreds of ms at a million people)."""
    ensure(actor, Accion.VER)
    scope = centre_scope(actor)
    if scope is None and len(words) > 1 and db.session.get_bind().dialect.name == "postgresql":
        return _network_search_by_trigrams(words, page, per_page)
    w = ParticipantePalabra
    per_word = [[_prefix(w.palabra, word)] + ([w.centro_id == scope] if scope is not None else [])
                for word in words]
    if len(per_word) > 1:
        return _paged_ids(intersect(*(select(w.participante_id).where(*c) for c in per_word)).subquery(),
                          page, per_page)
    # One word: a person whose name has two words starting with it is counted once. The page is
    # a query of its own, which the database may answer from the participante_id index in
    # order (a common name's newest people come first) without sorting every match.
    total = db.session.scalar(select(func.count(w.participante_id.distinct())).where(*per_word[0])) or 0
    ids = (select(w.participante_id).where(*per_word[0]).distinct().order_by(w.participante_id.desc())
           .limit(per_page).offset((page - 1) * per_page))
    return Page(_people(list(db.session.scalars(ids))), page, per_page, total)


def _people(ids: list[int]) -> list[Participante]:
    """These people, in the order given."""
    found = {p.id: p for p in db.session.scalars(select(Participante).where(Participante.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _paged_ids(ids, page: int, per_page: int) -> Page:
    """One page of a subquery of participante ids, newest first, and the total, in one pass over
    the matches (the total rides on each row of the page)."""
    window = db.session.execute(
        select(ids.c.participante_id, func.count().over().label("total"))
        .order_by(ids.c.participante_id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    if window:
        total = window[0].total
    else:  # a page past the end: no row carries the total
        total = db.session.scalar(select(func.count()).select_from(ids)) if page > 1 else 0
    return Page(_people([row.participante_id for row in window]), page, per_page, total)


def _network_search_by_trigrams(words: list[str], page: int, per_page: int) -> Page:
    """Several words over the whole network (PostgreSQL): each word starts a word of " " + the
    name, which the trigram index ix_participante_nombre_trgm answers by intersecting the words'
    trigrams; the few candidates left are checked against the name itself."""
    spaced = literal_column("' '") + Participante.nombre_busqueda  # the index's own expression
    conditions = [spaced.like(f"% {_like_escaped(word)}%", escape="\\") for word in words]
    return _paged_ids(select(Participante.id.label("participante_id")).where(*conditions).subquery(),
                      page, per_page)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(q: str):
    """A document prefix, or every word of q starting a word of the name (accents ignored).

    Both are range scans on an index (the document column, the name-word table) rather than
    LIKE '%...%', which no index serves.
    """
    conditions = []
    document = normalise_document(q)
    if _document_like(document):
        conditions.append(_prefix(Participante.numero_documento, document))
    words = query_words(q)
    if words:
        conditions.append(and_(*[
            Participante.id.in_(select(ParticipantePalabra.participante_id)
                                .where(_prefix(ParticipantePalabra.palabra, word)))
            for word in words]))
    return or_(*conditions) if conditions else false()


def _document_like(document: str) -> bool:
    return bool(re.fullmatch(r"[A-Z0-9]{3,20}", document) and re.search(r"\d", document))


def _prefix(column, text: str):
    # Beyond every character a name or document can hold, so [text, text + MAX) is "starts with".
    return column.between(text, text + "\U0010ffff")
