"""flask commands: create-admin, import-centros, demo-data, itinerario-revisar... (non-interactive,
for scripts)."""
from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import groupby

import click
from flask import current_app
from sqlalchemy import func, select

from . import audit, demo, demo_bulk, jobs
from .admin.services import ensure_admin
from .calidad import resumen as calidad_resumen
from .admin.services import import_centros as import_centros_csv
from .auth.guards import centre_scope
from .bases import services as bases
from .duplicados import services as duplicados
from .errors import DomainError
from .exports import write_csv
from .extensions import db
from .importaciones import services as importaciones
from .itinerario import revision
from .itinerario import services as itinerario
from .itinerario.dia import today_bogota
from .itinerario.tipos import TIPOS
from .models import Centro, Participante, Staff
from .respaldo import cli as respaldo_cli
from .scoping import set_centre_scope
from .tableros import resumen
from .verificadores import integrity

CSV_HEADERS = ["Centro", "Actuación", "Fecha", "Tipo", "Persona", "Documento", "Nombre", "Regla",
               "Mensaje"]


def register_cli(app) -> None:
    respaldo_cli.register(app)  # backup create/restore, sweep

    @app.cli.command("create-admin")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    @click.option("--nombre", default="Administrador")
    def create_admin(username: str, password: str, nombre: str):
        """Creates an admin account (or resets the password of an existing admin)."""
        try:
            staff = ensure_admin(username, password, nombre)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            detail = "; ".join(error.fields.values()) or error.message
            raise click.ClickException(detail) from None
        click.echo(f"Administrador listo: {staff.username}")

    @app.cli.command("jobs-worker")
    @click.option("--burst", is_flag=True, help="Termina cuando la cola queda vacía.")
    def jobs_worker(burst: bool):
        """Runs the background jobs of JOBS_REDIS_URL's queue (imports, large exports)."""
        if not current_app.config.get("JOBS_REDIS_URL"):
            raise click.ClickException(
                "JOBS_REDIS_URL no está definido: sin Redis, los trabajos corren dentro del "
                "proceso web y no hace falta este comando.")
        jobs.work(burst=burst)

    @app.cli.command("bases-limpiar")
    def bases_limpiar():
        """Deletes the prepared bases past their 24 hours (run it every hour, e.g. from cron)."""
        count = bases.sweep()
        db.session.commit()
        click.echo(f"Archivos vencidos eliminados: {count}")

    @app.cli.command("import-centros")
    @click.argument("csv_path", required=False, type=click.Path(exists=True, dir_okay=False))
    def import_centros(csv_path: str | None):
        """Adds the centres of the CSV (default: the bundled data/centros.csv) not yet present."""
        added, existing = import_centros_csv(csv_path)
        db.session.commit()
        click.echo(f"Centros importados: {added} nuevos, {existing} ya existían.")

    @app.cli.command("actuacion-registrar")
    @click.option("--usuario", required=True, help="Quien registra (su centro y su rol cuentan).")
    @click.option("--participante", type=int, required=True)
    @click.argument("datos")
    def record_actuacion(usuario: str, participante: int, datos: str):
        """Records one actuación from JSON ({"tipo", "fecha", ...}) through the itinerary's gate."""
        actor = _acting_staff(usuario)
        actuacion = _through_the_gate(lambda: itinerario.register(actor, participante, _json(datos)))
        click.echo(f"Actuación registrada: {actuacion.id}")

    @app.cli.command("actuacion-anular")
    @click.option("--usuario", required=True)
    @click.option("--actuacion", type=int, required=True)
    @click.option("--motivo", required=True)
    def annul_actuacion(usuario: str, actuacion: int, motivo: str):
        """Annuls one actuación with its reason (never deleted), through the itinerary's gate."""
        actor = _acting_staff(usuario)
        _through_the_gate(lambda: itinerario.annul(actor, actuacion, {"motivo": motivo}))
        click.echo(f"Actuación anulada: {actuacion}")

    @app.cli.command("tableros-reconstruir")
    @click.option("--verificar", is_flag=True, help="Solo compara el resumen con las actuaciones.")
    def rebuild_summary(verificar: bool):
        """Recomputes the tableros' summaries from the actuaciones, and the data-quality score's
        people cells from the people (or checks them)."""
        if verificar:
            expected, stored = resumen.contributions(), resumen.stored()
            wrong = {k for k in expected.keys() | stored.keys() if expected.get(k) != stored.get(k)}
            months, stored_months = resumen.by_month(expected), resumen.stored_months()
            wrong |= {k for k in months.keys() | stored_months.keys()
                      if months.get(k) != stored_months.get(k)}
            # By municipio: per day (ResumenMunicipioDiario) and those days folded to months
            # (ResumenMunicipio), from one recomputation.
            place_days, stored_place_days = (resumen.contributions_by_municipio_per_day(),
                                             resumen.stored_by_municipio_per_day())
            wrong |= {k for k in place_days.keys() | stored_place_days.keys()
                      if place_days.get(k) != stored_place_days.get(k)}
            places, stored_places = resumen.places_by_month(place_days), resumen.stored_by_municipio()
            wrong |= {k for k in places.keys() | stored_places.keys() if places.get(k) != stored_places.get(k)}
            wrong |= calidad_resumen.wrong()  # the data-quality score's people cells
            if wrong:
                raise click.ClickException(f"El resumen difiere en {len(wrong)} filas; "
                                           "ejecute tableros-reconstruir.")
            click.echo(f"Resumen correcto: {len(stored)} filas.")
            return
        rows = resumen.rebuild()
        db.session.commit()
        click.echo(f"Resumen de tableros reconstruido: {rows} filas.")

    @app.cli.command("importaciones-aplicar")
    @click.argument("importacion_id", type=int)
    def importaciones_aplicar(importacion_id: int):
        """Applies an import in this process (finishes one that was interrupted)."""
        try:
            importacion = importaciones.aplicar_en_primer_plano(importacion_id)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        click.echo(f"Importación {importacion.id}: {importacion.estado}, {importacion.nuevas} "
                   f"remisiones nuevas, {importacion.existentes} ya registradas, "
                   f"{importacion.con_error} filas con error.")

    @app.cli.command("verificadores-check")
    @click.option("--fix", is_flag=True, help="Elimina los huérfanos y completa los archivos interrumpidos.")
    def verificadores_check(fix: bool):
        """Filas de verificadores sin archivo, archivos sin fila y temporales abandonados."""
        informe = integrity.check(fix=fix)
        verb = "eliminados" if fix else "encontrados"
        if informe.sin_almacen:
            verb = "encontrados (no se eliminan: ningún archivo del almacén existe; revise UPLOAD_ROOT)"
        click.echo(f"Filas sin archivo: {len(informe.filas_sin_archivo)} {verb}")
        for verificador_id in informe.filas_sin_archivo:
            click.echo(f"  verificador {verificador_id}")
        click.echo(f"Archivos sin fila: {len(informe.archivos_sin_fila)} {verb}")
        for key in informe.archivos_sin_fila:
            click.echo(f"  {key}")
        click.echo(f"Temporales abandonados: {len(informe.temporales)} {verb}")
        for path in informe.temporales:
            click.echo(f"  {path}")
        click.echo(f"Temporales recientes (quizá una carga en curso; se conservan): "
                   f"{len(informe.recientes)}")
        for path in informe.recientes:
            click.echo(f"  {path}")
        click.echo(f"Archivos interrumpidos {'completados' if fix else 'que se pueden completar'}: "
                   f"{len(informe.completados)}")
        if not fix and not informe.limpio:
            raise SystemExit(1)

    @app.cli.command("auditoria-retencion")
    @click.option("--antes-de", "antes_de", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
                  help="Borra los registros de auditoría anteriores a este día (AAAA-MM-DD).")
    @click.option("--por", default="auditoria-retencion", show_default=True,
                  help="Quién ordena la retención (queda registrado).")
    def auditoria_retencion(antes_de, por: str):
        """Retención de la auditoría: el único borrado que la base de datos permite (queda registrado)."""
        try:
            run = audit.purge_before(antes_de.date(), por[:60], today_bogota())
        except DomainError as error:
            raise click.ClickException("; ".join(error.fields.values()) or error.message) from None
        db.session.commit()
        click.echo(f"Auditoría: {run.filas} registros anteriores al {run.antes_de:%d/%m/%Y} borrados "
                   f"(retención n.º {run.id}).")

    @app.cli.command("duplicados-detectar")
    def duplicados_detectar():
        """Finds the possible duplicate people of the whole network and refreshes the queue."""
        run = duplicados.run_detection()
        click.echo(f"Posibles duplicados: {run.candidatos} pares ({run.nuevos} nuevos) en "
                   f"{run.segundos:.1f} s.")

    @app.cli.command("itinerario-revisar")
    @click.option("--centro", "centro_id", type=int, default=None,
                  help="Solo las actuaciones registradas en este centro (id).")
    @click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True), default=None,
                  help="Escribe también los hallazgos en este archivo CSV (UTF-8, separado por ;).")
    def itinerario_revisar(centro_id: int | None, csv_path: str | None):
        """Actuaciones guardadas que las reglas actuales rechazarían, por centro (no borra nada)."""
        if centro_id is not None and db.session.get(Centro, centro_id) is None:
            raise click.ClickException(f"No existe el centro {centro_id}.")
        hallazgos = revision.review_stored(centro_id)
        centros = {c.id: c.nombre for c in db.session.execute(select(Centro.id, Centro.nombre))}
        if not hallazgos:
            click.echo("No hay registros que las reglas actuales rechazarían.")
        for centro, grupo in groupby(hallazgos, key=lambda h: h.centro_id):
            grupo = list(grupo)
            click.echo(f"{centros.get(centro, centro)} (centro {centro}): {len(grupo)} "
                       f"actuaciones que las reglas actuales rechazarían")
            for code, n in revision.count_by_code(grupo).items():
                click.echo(f"  {code}: {n}")
            for h in grupo:
                click.echo(f"  actuación {h.actuacion_id} · {h.fecha:%d/%m/%Y} · "
                           f"{TIPOS[h.tipo].etiqueta} · persona {h.participante_id} · {h.code} · "
                           f"{h.message}")
        if hallazgos:
            centres = len({h.centro_id for h in hallazgos})
            click.echo(f"Total: {len(hallazgos)} en {centres} centro{'s' if centres > 1 else ''}.")
        if csv_path:
            with open(csv_path, "w", encoding="utf-8-sig", newline="") as handle:
                write_csv(handle, [CSV_HEADERS] + [
                    [centros.get(h.centro_id, h.centro_id), h.actuacion_id, f"{h.fecha:%d/%m/%Y}",
                     TIPOS[h.tipo].etiqueta, h.participante_id, h.documento, h.nombre, h.code,
                     h.message] for h in hallazgos])
            click.echo(f"CSV escrito: {csv_path} ({len(hallazgos)} filas).")

    @app.cli.command("demo-data")
    @click.option("--participantes", "count", default=300, show_default=True, type=int)
    @click.option("--seed", default=2015, show_default=True, type=int)
    @click.option("--hasta", default=None, help="Fecha de la última actuación (AAAA-MM-DD; hoy).")
    @click.option("--si-vacia", is_flag=True, help="Solo carga si no hay participantes.")
    @click.option("--masivo", is_flag=True,
                  help="Escribe en bloque (millones de filas en minutos) sin pasar por los servicios.")
    def demo_data(count: int, seed: int, hasta: str | None, si_vacia: bool, masivo: bool):
        """Loads demo people and itineraries across the centres and prints the demo logins."""
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException("demo-data no se usa en producción.")
        existing = db.session.scalar(select(func.count()).select_from(Participante))
        if si_vacia and existing:
            click.echo(f"La base ya tiene {existing} participantes: no se cargan datos demo.")
        else:
            anchor = date.fromisoformat(hasta) if hasta else today_bogota()
            with click.progressbar(length=count, label="Cargando datos demo") as bar:
                if masivo:
                    demo.load(0, seed, anchor)
                    people, acts = demo_bulk.generate(count, seed, anchor - timedelta(days=900), anchor,
                                                      progress=bar.update)
                    summary = f"Datos demo masivos: {people} participantes, {acts} actuaciones."
                else:
                    summary = demo.load(count, seed, anchor, progress=bar.update)
            db.session.commit()
            click.echo(summary)
            if not masivo and count:  # the planted duplicates wait in the review queue
                run = duplicados.run_detection()
                click.echo(f"Posibles duplicados en la cola de revisión: {run.candidatos}.")
        for line in demo.login_lines():
            click.echo(line)


def _acting_staff(username: str) -> Staff:
    """An active account, whose centre scopes what the command may see, as a request's would."""
    staff = db.session.scalar(select(Staff).where(Staff.username == username, Staff.activo.is_(True)))
    if staff is None:
        raise click.ClickException(f"No hay una cuenta activa «{username}».")
    set_centre_scope(centre_scope(staff))
    return staff


def _json(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        raise click.ClickException("Los datos deben ser un objeto JSON.") from None
    return data


def _through_the_gate(write):
    """Runs a write and commits it; a refusal prints the rule's code and message (exit 1)."""
    try:
        result = write()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        fields = "".join(f"\n  {k}: {v}" for k, v in error.fields.items())
        raise click.ClickException(f"[{error.code}] {error.message}{fields}") from None
    return result
