"""The downloadable bases (API.md "Drill-down and bases"): rows, Spanish headers and labels,
filters, scope, formula safety, audit, background XLSX, streamed CSV."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from cemprende import audit, jobs
from cemprende.bases import services
from cemprende.bases.queries import BASES
from cemprende.extensions import db
from cemprende.models import ArchivoExportado, Auditoria
from conftest import BOGOTA_EVENING, MARCH, NONE, build_services_scenario, login

INJECTION = '=HYPERLINK("http://x","y")'


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "UTF-8 BOM first"
    return list(csv.reader(io.StringIO(raw.decode("utf-8")[1:]), delimiter=";"))


def read_xlsx(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def by(rows: list[list], header: str) -> dict:
    """Rows as dicts keyed by the value of `header`."""
    titles = rows[0]
    index = titles.index(header)
    return {row[index]: dict(zip(titles, row)) for row in rows[1:]}


@pytest.fixture
def scenario(world, centre):
    """Centre A: X (typed values that look like formulas), Y (left its route), Z (April only);
    centre B: W. Plus the services scenario's comités for capitalización."""
    a, b = centre(world["asesor_a"]), centre(world["asesor_b"])
    x = a.person(nombres=INJECTION, apellidos="+57", municipio="-3", sexo="F",
                 etnia="afrodescendiente", remitido_dps=True, programa_dps="@a",
                 discapacidad=True, desplazamiento=False)
    a.act(x, "remision_dps", "2015-03-01", programa="@a")
    a.act(x, "caracterizacion", "2015-03-02", situacion="idea_negocio", observaciones="=1+1")
    a.act(x, "enrutamiento", "2015-03-03", destino="emprendimiento")
    a.act(x, "ingreso_ruta", "2015-03-04", ruta="fortalece")
    a.act(x, "plan_negocio", "2015-03-05", nombre_negocio="-Panadería", valor_solicitado=500_000,
          items=[{"descripcion": "Horno", "cantidad": 2, "precio_unitario": 250_000}])
    a.annul(a.act(x, "fortalecimiento_sede", "2015-03-06", tema="Anulada"))
    y = a.person(sexo="M", etnia=None, **NONE)
    a.act(y, "enrutamiento", "2015-03-04", destino="emprendimiento")
    a.act(y, "ingreso_ruta", "2015-03-05", ruta="emprende")
    a.act(y, "desistimiento", "2015-03-20", motivo="Se mudó")
    z = a.person(**NONE)
    a.act(z, "caracterizacion", "2015-04-02")
    w = b.person(**NONE)
    b.act(w, "caracterizacion", "2015-03-10")
    build_services_scenario(a)
    return SimpleNamespace(a=world["centro_a"], b=world["centro_b"], x=x, y=y, z=z, w=w)


def get_base(api, staff, nombre, formato, query=MARCH):
    return api(staff).get(f"/bases/{nombre}.{formato}?{query}")


def test_participantes_rows_headers_and_labels_in_csv_and_xlsx(api, world, scenario):
    query = f"{MARCH}&centro_id={scenario.a.id}"
    response = get_base(api, world["director_a"], "participantes", "csv", query)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    rows = read_csv(response)
    assert rows[0][:6] == ["ID participante", "Centro", "Tipo de documento", "Número de documento",
                           "Nombres", "Apellidos"]
    assert {"Sexo", "Etnia", "Discapacidad", "Desplazamiento", "Ruta actual",
            "Primera caracterización", "Primer enrutamiento"} <= set(rows[0])
    people = by(rows, "ID participante")
    # Z acted only in April, W is centre B's: neither is here; the scenario's q1 and q2 are.
    assert str(scenario.z) not in people and str(scenario.w) not in people
    assert str(scenario.x) in people and str(scenario.y) in people and len(people) == 4
    x, y = people[str(scenario.x)], people[str(scenario.y)]
    assert x["Nombres"] == "'" + INJECTION and x["Apellidos"] == "'+57" and x["Municipio"] == "'-3"
    assert x["Programa DPS"] == "'@a"
    assert x["Centro"] == scenario.a.nombre and x["Tipo de documento"] == "Cédula de ciudadanía"
    assert (x["Sexo"], x["Etnia"], x["Discapacidad"], x["Desplazamiento"]) == (
        "Femenino", "Afrodescendiente", "Sí", "No")
    assert x["Primera caracterización"] == "02/03/2015" and x["Primer enrutamiento"] == "03/03/2015"
    assert x["Ruta actual"] == "Fortalece" and x["Remitido por DPS"] == "Sí"
    assert x["Fecha de nacimiento"] == "17/05/1990"
    assert y["Ruta actual"] == "" and y["Etnia"] == "Sin información" and y["Sexo"] == "Masculino"

    sheet = read_xlsx(get_base(api, world["director_a"], "participantes", "xlsx", query))
    assert sheet[0] == rows[0]
    people = by(sheet, "ID participante")
    assert isinstance(next(iter(people)), int), "numbers stay numbers"
    x = people[scenario.x]
    assert x["Nombres"] == "'" + INJECTION and x["Apellidos"] == "'+57" and x["Municipio"] == "'-3"
    assert x["Ruta actual"] == "Fortalece"


def test_actuaciones_base_has_every_field_with_labels_and_items(api, world, scenario):
    response = get_base(api, world["director_a"], "actuaciones", "xlsx")
    assert response.status_code == 200
    sheet = read_xlsx(response)
    headers = sheet[0]
    assert headers[:9] == ["ID actuación", "ID participante", "Centro", "Tipo de documento",
                           "Número de documento", "Nombres", "Apellidos", "Proceso",
                           "Tipo de actuación"]
    for label in ("Situación", "Destino", "Ruta", "Valor solicitado", "Decisión", "Proveedor",
                  "Programa", "Ítems"):
        assert label in headers
    mine = [dict(zip(headers, row)) for row in sheet[1:] if row[1] == scenario.x]
    tipos = [r["Tipo de actuación"] for r in mine]
    assert tipos == ["Remisión DPS", "Caracterización", "Enrutamiento", "Ingreso a ruta",
                     "Plan de negocio"]  # the annulled fortalecimiento is not there
    caracterizacion, enrutamiento, ingreso, plan = mine[1:]
    assert caracterizacion["Situación"] == "Tiene una idea de negocio"
    assert caracterizacion["Observaciones"] == "'=1+1" and caracterizacion["Fecha"] == "02/03/2015"
    assert enrutamiento["Destino"] == "Emprendimiento" and enrutamiento["Proceso"] == "Orientación"
    assert ingreso["Ruta"] == "Fortalece" and ingreso["Valor solicitado"] is None
    assert plan["Valor solicitado"] == 500_000  # a number
    assert plan["Nombre del negocio"] == "'-Panadería"
    assert plan["Ítems"] == "Horno × 2 @ $ 250.000"
    # Other tipos' fields: the comité's decision as its label.
    decisions = {row[headers.index("Decisión")] for row in sheet[1:]} - {None}
    assert decisions == {"Aprobado", "Rechazado"}
    # The CSV holds the same rows.
    rows = read_csv(get_base(api, world["director_a"], "actuaciones", "csv"))
    assert rows[0] == headers and len(rows) == len(sheet)


def test_remisiones_dps_and_capitalizacion(api, world, scenario):
    rows = read_csv(get_base(api, world["director_a"], "remisiones_dps", "csv"))
    assert len(rows) == 2
    remision = dict(zip(rows[0], rows[1]))
    assert remision["Fecha de remisión"] == "01/03/2015" and remision["Programa DPS"] == "'@a"
    assert remision["Estado de contacto"] == "Pendiente"
    assert remision["Nombres"] == "'" + INJECTION
    assert remision["Primera caracterización"] == "02/03/2015"
    caller = api(world["asesor_a"])
    for fecha, resultado in (("2015-03-05", "localizado"), ("2015-03-03", "no_contesta")):
        assert caller.post(f"/participantes/{remision['ID participante']}/contactos", json={
            "fecha": fecha, "medio": "telefono", "resultado": resultado}).status_code == 201
    again = read_csv(get_base(api, world["director_a"], "remisiones_dps", "csv"))
    assert dict(zip(again[0], again[1]))["Estado de contacto"] == "Localizada"  # latest by fecha

    sheet = read_xlsx(get_base(api, world["director_a"], "capitalizacion", "xlsx"))
    assert sheet[0][-9:] == ["Valor aprobado", "Valor entregado", "Pendiente por entregar",
                             "Entregas", "Proveedor(es)", "Primera entrega", "Última entrega",
                             "Visitas de seguimiento", "Última visita de seguimiento"]
    comites = sorted((dict(zip(sheet[0], row)) for row in sheet[1:]),
                     key=lambda r: r["Fecha del comité"])
    assert [c["Fecha del comité"] for c in comites] == ["05/03/2015", "08/03/2015"]
    q1, q2 = comites
    assert (q1["Valor aprobado"], q1["Valor entregado"], q1["Pendiente por entregar"]) == (
        2_000_001, 2_000_001, 0)
    assert (q1["Entregas"], q1["Proveedor(es)"], q1["Visitas de seguimiento"]) == (2, "Almacén", 1)
    assert (q1["Primera entrega"], q1["Última entrega"]) == ("10/03/2015", "20/03/2015")
    assert q1["Acta"] == "ACA-1"
    # q2's delivery is on 2 April: after the cut, so nothing delivered yet.
    assert (q2["Valor aprobado"], q2["Valor entregado"], q2["Pendiente por entregar"]) == (
        1_000_000, 0, 1_000_000)
    april = read_xlsx(get_base(api, world["director_a"], "capitalizacion", "xlsx",
                               "desde=2015-03-01&hasta=2015-04-30"))
    q2 = next(dict(zip(april[0], r)) for r in april[1:] if r[april[0].index("Acta")] == "ACA-2")
    assert q2["Valor entregado"] == 1_000_000 and q2["Proveedor(es)"] == "Almacén"


def test_filters_by_centre_and_period(api, world, scenario):
    network = by(read_csv(get_base(api, world["supervisor"], "participantes", "csv")),
                 "ID participante")
    assert str(scenario.w) in network and str(scenario.x) in network
    only_b = by(read_csv(get_base(api, world["supervisor"], "participantes", "csv",
                                  f"{MARCH}&centro_id={scenario.b.id}")), "ID participante")
    assert set(only_b) == {str(scenario.w)}
    april = by(read_csv(get_base(api, world["director_a"], "participantes", "csv",
                                 "desde=2015-04-01&hasta=2015-04-30")), "ID participante")
    assert str(scenario.z) in april and str(scenario.y) not in april
    # A director's base without centro_id is its own centre's.
    own = by(read_csv(get_base(api, world["director_b"], "participantes", "csv")), "ID participante")
    assert set(own) == {str(scenario.w)}


def test_scope_and_roles(api, world, scenario, make_client):
    other = get_base(api, world["director_b"], "participantes", "csv",
                     f"{MARCH}&centro_id={scenario.a.id}")
    assert other.status_code == 404
    assert get_base(api, world["director_b"], "actuaciones", "xlsx",
                    f"{MARCH}&centro_id={scenario.a.id}").status_code == 404
    assert get_base(api, world["supervisor"], "participantes", "csv",
                    f"{MARCH}&centro_id={scenario.a.id}").status_code == 200
    for nombre in BASES:
        for formato in ("csv", "xlsx"):
            refused = get_base(api, world["asesor_a"], nombre, formato)
            assert refused.status_code == 403, (nombre, formato)
    assert api(world["asesor_a"]).get("/bases").status_code == 403
    assert get_base(api, world["director_a"], "no_existe", "csv").status_code == 404
    browser = make_client()
    login(browser, world["asesor_a"])
    assert browser.get(f"/bases/participantes.csv?{MARCH}").status_code == 403
    page = browser.get("/descargas")
    assert page.status_code == 200 and "bases.xlsx" not in page.get_data(as_text=True)
    assert "cobertura.csv" in page.get_data(as_text=True)


def test_sensitive_columns_follow_the_role(app, ctx):
    sensitive = {c.titulo for base in BASES.values() for c in base.columnas if c.sensible}
    assert {"Etnia", "Discapacidad", "Desplazamiento"} <= sensitive
    assert {"etnia", "discapacidad", "desplazamiento"} <= audit.SENSITIVE_KEYS
    for rol in ("director", "supervisor", "admin"):
        titles = [c.titulo for c in services.columnas(SimpleNamespace(rol=rol), BASES["participantes"])]
        assert "Etnia" in titles and "Desplazamiento" in titles
    # A role without the permission (no such role may download today: asesor gets 403) would
    # get the bases without those columns.
    titles = [c.titulo for c in services.columnas(SimpleNamespace(rol="asesor"), BASES["participantes"])]
    assert "Etnia" not in titles and "Discapacidad" not in titles and "Nombres" in titles


def test_every_download_is_audited(app, api, world, scenario, make_client):
    director = world["director_a"]
    get_base(api, director, "participantes", "csv").get_data()
    get_base(api, director, "remisiones_dps", "xlsx")
    browser = make_client()
    login(browser, director)
    browser.get(f"/bases/capitalizacion.csv?{MARCH}").get_data()
    with app.app_context():
        entries = db.session.scalars(select(Auditoria).where(Auditoria.accion == "descargar")
                                     .order_by(Auditoria.id)).all()
        assert [(e.despues["base"], e.despues["formato"]) for e in entries] == [
            ("participantes", "csv"), ("remisiones_dps", "xlsx"), ("capitalizacion", "csv")]
        assert [e.despues["filas"] for e in entries] == [4, 1, 2]
        for entry in entries:
            assert entry.staff_id == director.id and entry.username == director.username
            assert entry.centro_id == world["centro_a"].id
            assert (entry.despues["desde"], entry.despues["hasta"]) == ("2015-03-01", "2015-03-31")
            assert entry.despues["completa"] is True and entry.ip == "127.0.0.1"


def test_large_xlsx_is_prepared_in_the_background(app, api, world, scenario, monkeypatch,
                                                  upload_root):
    monkeypatch.setitem(app.config, "BASES_XLSX_FONDO_FILAS", 2)
    director = api(world["director_a"])
    response = director.get(f"/bases/participantes.xlsx?{MARCH}")
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) >= {"id", "estado", "enlace"} and body["estado"] == "en_cola"
    jobs.wait_for_threads()
    listed = director.get("/bases/archivos").get_json()["items"]
    assert [(f["id"], f["estado"], f["progreso"], f["filas"]) for f in listed] == [
        (body["id"], "listo", 100, 4)]
    link = body["enlace"].removeprefix("/api/v1")
    ready = director.get(link)
    assert ready.status_code == 200
    sheet = read_xlsx(ready)
    assert len(sheet) == 5 and "'" + INJECTION in sheet[1] + sheet[2] + sheet[3] + sheet[4]
    # Only its creator or the same scope: another centre's director gets 404; supervisor may.
    assert api(world["director_b"]).get(link).status_code == 404
    assert api(world["supervisor"]).get(link).status_code == 200
    with app.app_context():
        downloads = db.session.scalars(select(Auditoria).where(
            Auditoria.accion == "descargar", Auditoria.entidad_id == body["id"])).all()
        assert len(downloads) == 2 and downloads[0].despues["filas"] == 4
        assert len(list((upload_root / "exportaciones").iterdir())) == 1
    # After 24 h: 404 (with a token of that day), and the sweep deletes the file.
    with time_machine.travel(BOGOTA_EVENING + timedelta(hours=25)):
        assert api(world["director_a"]).get(link).status_code == 404
        with app.app_context():
            assert services.sweep() == 1
            db.session.commit()
            assert db.session.get(ArchivoExportado, body["id"]).estado == "vencido"
    assert list((upload_root / "exportaciones").iterdir()) == []


def test_prepared_file_answers_202_while_in_progress_and_lists_on_the_page(
        app, api, world, scenario, make_client):
    with app.app_context():
        archivo = ArchivoExportado(staff_id=world["director_a"].id, base="participantes",
                                   formato="xlsx", centro_id=world["centro_a"].id,
                                   desde=BOGOTA_EVENING.date(), hasta=BOGOTA_EVENING.date(),
                                   columnas=[], estado="procesando", progreso=40, total=10,
                                   expira_en=BOGOTA_EVENING + timedelta(hours=24))
        db.session.add(archivo)
        db.session.commit()
        archivo_id = archivo.id
    pending = api(world["director_a"]).get(f"/bases/archivos/{archivo_id}")
    assert pending.status_code == 202
    assert pending.get_json()["estado"] == "procesando" and pending.get_json()["progreso"] == 40
    browser = make_client()
    login(browser, world["director_a"])
    page = browser.get("/descargas").get_data(as_text=True)
    assert "Preparando" in page and 'value="40"' in page and 'http-equiv="refresh"' in page
    assert "/bases/participantes.csv" in page and "cobertura.csv" in page


def test_a_base_over_excels_limit_is_offered_as_csv_only(app, api, world, scenario, monkeypatch):
    monkeypatch.setattr(services, "EXCEL_MAX_ROWS", 3)
    response = get_base(api, world["director_a"], "participantes", "xlsx")
    assert response.status_code == 422
    assert "CSV" in response.get_json()["error"]["message"]
    assert get_base(api, world["director_a"], "participantes", "csv").status_code == 200


def test_csv_is_streamed_in_chunks(app, api, world, scenario):
    response = get_base(api, world["supervisor"], "actuaciones", "csv")
    assert response.is_streamed
    pieces = list(response.response)
    assert pieces[0] in ("\ufeff", b"\xef\xbb\xbf") and len(pieces) >= 2


def test_participantes_final_cells_are_the_row_by_row_cells_in_csv_and_xlsx(app, world, scenario):
    """The base read as final cells from the database (labels, dates and route in SQL, the
    rows fetched a chunk ahead, the CSV a chunk at a time, the sheet written directly) gives the
    bytes the per-cell Python readers give through the row-by-row writers."""
    from cemprende.exports import csv_stream, write_xlsx
    from cemprende.models import Participante, Staff
    # Stored text with every character the CSV quotes or the formula check catches (a legacy
    # base may bring any of them): the lines the database writes must match csv.writer's.
    with app.app_context():
        y = db.session.get(Participante, scenario.y)
        y.nombres, y.apellidos = 'Ana; "la" \r\nMaría', "\tPérez"
        y.telefono, y.correo, y.municipio = "\r300", 'a"b@c.co', "@Ocaña;"
        y.programa_dps = "+;-"
        # The separators the database joins a row's cells with: that row is read again as cells.
        db.session.get(Participante, scenario.z).correo = "a\x1fb\x1ec"
        db.session.commit()
    for username, query in (("supervisor", {"desde": "2015-03-01", "hasta": "2015-03-31"}),
                            ("director_a", {"desde": "2015-03-01", "hasta": "2015-04-30",
                                            "centro_id": str(world["centro_a"].id)})):
        with app.test_request_context():
            actor = db.session.get(Staff, world[username].id)
            descarga = services.prepare(actor, "participantes", query)
            readers = [c.valor for c in descarga.columnas]
            expected = [descarga.encabezados] + [
                [read(row) for read in readers]
                for chunk in descarga.base.lotes(db.session, descarga.filtro, 2) for row in chunk]
            assert len(expected) > 3
            old_csv = "".join(csv_stream(expected))
            assert '"Ana; ""la"" \r\nMaría";\'\tPérez' in old_csv
            assert ("a\x1fb\x1ec" in old_csv) == (username == "director_a")  # Z: April
            _, body = services.csv_download(actor, "participantes", query)
            assert "".join(body) == old_csv
            old_xlsx, new_xlsx = io.BytesIO(), io.BytesIO()
            write_xlsx(old_xlsx, descarga.base.titulo, expected, typed=descarga.escritos)
            assert services._write_xlsx(new_xlsx, descarga, db.session) == len(expected)
            assert _xlsx_parts(new_xlsx) == _xlsx_parts(old_xlsx)
            db.session.rollback()


def _xlsx_parts(content: io.BytesIO) -> dict[str, bytes]:
    import zipfile
    with zipfile.ZipFile(content) as package:  # docProps/core.xml holds the time of writing
        return {name: package.read(name) for name in package.namelist()
                if name != "docProps/core.xml"}


def test_labels_the_database_writes_into_csv_lines_need_no_quoting():
    """The participantes CSV lines are written by the database, which quotes only the typed
    cells (exports.csv_line_sql): every label of the other cells must be free of ; " CR LF."""
    from cemprende.exports import CSV_SPECIAL
    from cemprende.itinerario.tipos import RUTAS
    from cemprende.models.participante import ETNIAS, SEXOS, TIPOS_DOCUMENTO, TIPOS_POBLACION, ZONAS
    labels = [*RUTAS.values(), *ETNIAS.values(), *SEXOS.values(), *TIPOS_DOCUMENTO.values(),
              *TIPOS_POBLACION.values(), *ZONAS.values(), "Sin información", "Sí", "No"]
    assert len(labels) > 20
    assert [label for label in labels if CSV_SPECIAL & set(label)] == []
    untyped = [c.titulo for c in BASES["participantes"].columnas if not c.escrito]
    assert "Ruta actual" in untyped and "Nombres" not in untyped


def test_a_base_read_on_sqlite_leaves_the_connection_page_cache_as_configured(app, api, world,
                                                                             scenario):
    """The network scan reads with a small page cache (bases.queries._read_once) and gives the
    connection back with the cache the tableros expect."""
    from sqlalchemy import text
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's page cache only")
        configured = db.session.execute(text("PRAGMA cache_size")).scalar()
        db.session.rollback()
    assert configured == -65536
    assert get_base(api, world["supervisor"], "participantes", "csv").status_code == 200
    assert get_base(api, world["supervisor"], "participantes", "xlsx").status_code == 200
    with app.app_context():
        assert db.session.execute(text("PRAGMA cache_size")).scalar() == configured
