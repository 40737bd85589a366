"""Tablero pages (filled below)."""
