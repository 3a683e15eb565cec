"""Infrastructure: PostgreSQL and NATS. The only package that imports asyncpg or nats."""
