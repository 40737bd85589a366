"""Emprendimiento: routes, business records and their services."""
