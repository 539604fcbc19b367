"""kontakt: a self-hostable contact center for a city hall."""

__version__ = "0.1.0"
