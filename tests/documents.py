"""Real documents for upload tests: PDFs from reportlab, images from Pillow, zips from zipfile."""
from __future__ import annotations

import io
import zipfile

from PIL import Image
from reportlab.pdfgen import canvas


def pdf_bytes(text: str = "Documento de prueba") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


def image_bytes(fmt: str = "PNG", colour=(200, 30, 30), size=(320, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def files(*pairs: tuple[str, bytes]) -> dict:
    """The multipart body of an upload: several 'archivo' parts."""
    return {"archivo": [(io.BytesIO(data), name) for name, data in pairs]}
