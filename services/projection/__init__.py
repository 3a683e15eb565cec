"""The projection service: read models built from every lifecycle event."""
