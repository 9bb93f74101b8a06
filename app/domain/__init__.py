"""The pure rules and vocabulary of the domain: no database, no GraphQL, no HTTP."""
