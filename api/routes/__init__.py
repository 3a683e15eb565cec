"""One module per resource under /api/v1."""
