"""The database layer: migrations, rollups, statement timeouts, the LISTEN connection."""
