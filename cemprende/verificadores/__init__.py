"""Verificadores: storage, naming convention, single and bulk upload, supervisor review."""
