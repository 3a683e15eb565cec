"""Server-rendered pages (Jinja + htmx) served by the same Litestar app as the API."""
