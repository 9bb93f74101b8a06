"""Helpers shared by the tests; no test module imports another.

- `databases`: a fresh SQLite or PostgreSQL database (PAKN_TEST_POSTGRES_URL), migrated or not.
- `demo`: demo petitions loaded into a database, and the session's demo body.
- `server`: `RunningServer`, a real server in a thread (a plain or async context manager).
- `cli`: `pakn ...` run as a user runs it, and `pakn serve` in a child process.
- `workflow`: officers' tokens, the mutations, and `Workflow.act(name, token, petition)`.
- `ws_client`: a GraphQL WebSocket client (graphql-transport-ws or legacy graphql-ws).
- `stock_clients`: the follow-and-resume scenario and the harnesses of the stock clients.
- `records`: export bodies as records; the personal data a database holds.
- `exports`: the export endpoints as the tests call them; the GraphQL list as export records.
- `demo_rows`: the demo loader's output read back (a body at a fixed NOW, rows by table).
- `browser_page`, `browser_driver`: the README snippet's page origin; Chromium through Node.
- `stats_reader`: statistics as a reader computes them from the public list.
"""
