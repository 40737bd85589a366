"""Habeas data: what the law lets a person ask about their own data."""
