"""Pure rules: no database, no server."""
