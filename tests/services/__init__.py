"""Use cases over a real database: the demo loader, exports, the lifecycle's safety."""
