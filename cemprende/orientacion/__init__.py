"""Orientación: caracterización, enrutamiento, actas, desistimiento."""
