"""Pilot service: scope, KPIs, measurements, human oversight, incidents (G3)."""
