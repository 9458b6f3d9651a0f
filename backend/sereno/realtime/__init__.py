"""WebSocket fan-out of live events (Litestar channels; PostgreSQL LISTEN/NOTIFY or Redis)."""
