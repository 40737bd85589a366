from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String
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
