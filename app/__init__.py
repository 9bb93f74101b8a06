"""pakn core: settings and the rules of the domain, free of GraphQL."""
