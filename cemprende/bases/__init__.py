"""The downloadable bases (participantes, actuaciones, remisiones_dps, capitalizacion) and the
Descargas page."""
