"""HTTP behaviour: CORS, caching, persisted queries, open data, workers."""
