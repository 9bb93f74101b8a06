"""The GraphQL API against a real server, on SQLite and PostgreSQL."""
