"""Referenciación: referrals to other programmes."""
