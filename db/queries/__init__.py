"""Read queries: plain functions from a session and typed arguments to rows."""
