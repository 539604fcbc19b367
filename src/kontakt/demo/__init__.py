"""A demo year of the contact office, generated as ordinary events (issue #8)."""
