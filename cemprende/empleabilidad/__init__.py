"""Empleabilidad: FIS, courses and sessions, vacancies, remissions, placements."""
