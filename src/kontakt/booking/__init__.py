"""Booking engine: units, services, slots, reservations and visit notifications."""
