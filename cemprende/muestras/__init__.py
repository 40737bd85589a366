"""Audit samples: a reproducible random sample of the records behind each tablero row."""
