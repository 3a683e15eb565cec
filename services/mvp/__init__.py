"""MVP service: documentation, monitoring, release readiness (G4), then production KPIs."""
