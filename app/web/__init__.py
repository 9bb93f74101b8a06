"""The HTTP side: the GraphQL view, guards, caching, the export routes, the report page, serving."""
