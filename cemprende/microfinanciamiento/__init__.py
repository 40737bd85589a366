"""Microfinanciamiento: adjustment, allocation committee, deliveries, visits, investment control, alerts."""
