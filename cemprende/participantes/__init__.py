"""Participants: registration, search, profile, itinerary timeline."""
