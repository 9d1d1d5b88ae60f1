"""searchkit: full-text search for news archives, from the terminal."""

__version__ = "0.1.0"
