"""Infrastructure: PostgreSQL, NATS, processes. The only package that imports asyncpg or nats."""
