"""The itinerary: actuaciones of API.md, their fields and order rules."""
