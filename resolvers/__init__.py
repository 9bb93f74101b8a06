"""GraphQL glue: arguments in, domain calls and queries, dataloaders; no Strawberry types."""
