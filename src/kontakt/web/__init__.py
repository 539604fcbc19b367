"""HTTP plumbing shared by all routers: dependencies, templates, errors."""
