"""flask backup create DEST / flask backup restore SRC / flask sweep (registered by cemprende/cli.py)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from . import RespaldoError, barrido, services


def _fail(error: RespaldoError):
    raise click.ClickException(error.message) from None


def register(app) -> None:
    backup = AppGroup("backup", help="Respaldos de la base de datos y del almacén de documentos.")

    @backup.command("create")
    @click.argument("dest", type=click.Path(file_okay=False))
    def create(dest: str):
        """Crea un respaldo completo en la carpeta DEST (que no debe existir)."""
        try:
            manifest = services.create(dest)
        except RespaldoError as error:
            _fail(error)
        rows = sum(manifest["tablas"].values())
        docs = manifest["documentos"]
        click.echo(f"Respaldo creado en {dest} ({manifest['motor']}, {manifest['creado']}): "
                   f"{len(manifest['tablas'])} tablas, {rows} filas, {docs['archivos']} documentos.")
        if docs["verificadores_sin_archivo"]:
            click.echo(f"Atención: {len(docs['verificadores_sin_archivo'])} verificadores no tenían "
                       "archivo en el almacén (ejecute flask verificadores-check).", err=True)

    @backup.command("restore")
    @click.argument("src", type=click.Path(exists=True, file_okay=False))
    def restore(src: str):
        """Restaura el respaldo SRC sobre una base de datos y un almacén vacíos."""
        try:
            result = services.restore(src)
        except RespaldoError as error:
            db.session.rollback()
            _fail(error)
        manifest = result.manifest
        click.echo(f"Respaldo del {manifest['creado']} restaurado: {len(manifest['tablas'])} tablas, "
                   f"{sum(manifest['tablas'].values())} filas, {result.documentos} documentos.")
        for aviso in result.avisos:
            click.echo(f"Atención: {aviso}", err=True)
        click.echo("Verificación del almacén (verificadores-check):")
        ctx = click.get_current_context()
        ctx.invoke(current_app.cli.get_command(ctx, "verificadores-check"), fix=False)
        click.echo("Restauración completa y verificada.")

    app.cli.add_command(backup)

    @app.cli.command("sweep")
    @click.option("--dry-run", is_flag=True, help="Solo informa; no cambia nada.")
    @click.option("--temporales-horas", "part_hours", type=click.FloatRange(min=0),
                  default=barrido.PART_AGE / 3600, show_default=True,
                  help="Edad mínima de un .part para eliminarlo.")
    @click.option("--huerfanos-dias", "orphan_days", type=click.FloatRange(min=0),
                  default=barrido.ORPHAN_AGE / 86400, show_default=True,
                  help="Edad mínima de un archivo sin fila para eliminarlo.")
    def sweep(dry_run: bool, part_hours: float, orphan_days: float):
        """Barre el almacén: .part abandonados y archivos sin fila viejos (las filas sin archivo
        solo se informan)."""
        result = barrido.sweep(dry_run=dry_run, part_age=part_hours * 3600,
                               orphan_age=orphan_days * 86400)
        db.session.rollback()
        verb = "se eliminarían" if dry_run else "eliminados"
        informe = result.informe
        click.echo(f"Renombres interrumpidos {'que se completarían' if dry_run else 'completados'}: "
                   f"{len(informe.completados)}")
        for key in informe.completados:
            click.echo(f"  {key}")
        click.echo(f"Temporales (.part) de más de {part_hours:g} h {verb}: {len(result.temporales)}")
        for path in result.temporales:
            click.echo(f"  {path}")
        click.echo(f"Temporales recientes conservados: {len(informe.recientes)}")
        click.echo(f"Archivos sin fila de más de {orphan_days:g} días {verb}: {len(result.huerfanos)}")
        for key in result.huerfanos:
            click.echo(f"  {key}")
        click.echo(f"Archivos sin fila recientes conservados: {len(result.huerfanos_recientes)}")
        for key in result.huerfanos_recientes:
            click.echo(f"  {key}")
        if result.protegido:
            click.echo("Ningún archivo del almacén tiene fila: no se elimina nada (revise "
                       "DATABASE_URL y UPLOAD_ROOT).", err=True)
        click.echo(f"Filas sin archivo (no se eliminan; revíselas): {len(result.filas_sin_archivo)}")
        for verificador_id in result.filas_sin_archivo:
            click.echo(f"  verificador {verificador_id}")
        if result.filas_sin_archivo or result.protegido:
            raise SystemExit(1)
