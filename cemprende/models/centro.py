from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String, and_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

MODALIDADES = ("Cemprende", "COEE")


class Centro(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nombre: Mapped[str] = mapped_column(String(120), unique=True)
    ciudad: Mapped[str] = mapped_column(String(80))
    departamento: Mapped[str] = mapped_column(String(80))
    modalidad: Mapped[str] = mapped_column(String(20))
    fecha_apertura: Mapped[date | None] = mapped_column(Date)
    fecha_lanzamiento: Mapped[date | None] = mapped_column(Date)
    activo: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @hybrid_method
    def abierto_al(self, day: date) -> bool:
        """Opened by that day: a centre without an opening date has not opened (never guessed)."""
        return self.fecha_apertura is not None and self.fecha_apertura <= day

    @abierto_al.expression
    def abierto_al(cls, day: date):
        return and_(cls.fecha_apertura.is_not(None), cls.fecha_apertura <= day)

    @hybrid_method
    def en_servicio(self, day: date) -> bool:
        """Active and opened by that day: the centres offered to pick from."""
        return bool(self.activo) and self.abierto_al(day)

    @en_servicio.expression
    def en_servicio(cls, day: date):
        return and_(cls.activo.is_(True), cls.abierto_al(day))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "nombre": self.nombre,
            "ciudad": self.ciudad,
            "departamento": self.departamento,
            "modalidad": self.modalidad,
            "fecha_apertura": self.fecha_apertura.isoformat() if self.fecha_apertura else None,
            "fecha_lanzamiento": (
                self.fecha_lanzamiento.isoformat() if self.fecha_lanzamiento else None
            ),
            "activo": self.activo,
            "version": self.version,
        }
