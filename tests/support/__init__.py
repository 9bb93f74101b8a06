"""Helpers shared by the tests: databases, servers, the workflow driver, a WebSocket client."""
