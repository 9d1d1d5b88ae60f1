"""The one exception the parsers raise."""

from __future__ import annotations


class ParseError(ValueError):
    """A document that cannot be parsed; the message is the reason, fit for a report."""
