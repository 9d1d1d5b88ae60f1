"""Posting formats for the searchable text fields: Whoosh's, with a faster path.

``Positions`` and ``Frequency`` store what Whoosh's formats of the same name store
(frequency, weight, positions) and score the same. Two things differ:

- when the field's analyzer can list a text's terms with their positions in one call
  (``FastStemmingAnalyzer.positions_of``), indexing uses that instead of a token object
  per word;
- positions are stored as a count and the deltas as bytes (one byte each when all are
  below 256, else four), not as a pickle: cheaper to write and to read back for phrases.
"""

from __future__ import annotations

from array import array
from itertools import accumulate

from whoosh import formats
from whoosh.system import _INT_SIZE, pack_uint, unpack_uint

_SINGLE = [pack_uint(1) + bytes([pos]) for pos in range(256)]


def _term_positions(value, analyzer):
    """(term, positions) pairs from the analyzer's one-call path; None without one."""
    positions_of = getattr(analyzer, "positions_of", None)
    if positions_of is None or not isinstance(value, str):
        return None
    return positions_of(value).items()


class Positions(formats.Positions):
    def word_values(self, value, analyzer, **kwargs):
        found = _term_positions(value, analyzer)
        if found is None:
            return super().word_values(value, analyzer, **kwargs)
        fb = self.field_boost
        encode = self.encode
        return [(word, len(poses), len(poses) * fb, encode(poses)) for word, poses in found]

    def encode(self, poslist) -> bytes:
        if len(poslist) == 1 and poslist[0] < 256:  # most postings
            return _SINGLE[poslist[0]]
        deltas = [b - a for a, b in zip([0, *poslist], poslist, strict=False)]
        if max(deltas, default=0) < 256:
            return pack_uint(len(deltas)) + bytes(deltas)
        return pack_uint(len(deltas)) + array("I", deltas).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        if len(valuestring) == _INT_SIZE + 1:  # one position below 256: most postings
            return [valuestring[_INT_SIZE]]
        count = unpack_uint(valuestring[:_INT_SIZE])[0]
        payload = valuestring[_INT_SIZE:]
        deltas = payload if len(payload) == count else array("I", payload)
        return list(accumulate(deltas))


class Frequency(formats.Frequency):
    def word_values(self, value, analyzer, **kwargs):
        found = _term_positions(value, analyzer)
        if found is None:
            return super().word_values(value, analyzer, **kwargs)
        fb = self.field_boost
        return [(word, len(poses), len(poses) * fb, pack_uint(len(poses))) for word, poses in found]
