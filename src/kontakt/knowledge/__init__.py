"""The city's knowledge base: articles, their versions, import/export and search."""
