"""Tableros: indicator registry, metas, HTML / PDF / XLSX."""
