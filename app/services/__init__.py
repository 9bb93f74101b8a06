"""Use cases over the database: one transaction each, no GraphQL, no HTTP."""
