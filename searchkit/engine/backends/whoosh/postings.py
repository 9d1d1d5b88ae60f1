"""Posting lists read a block at a time, each at most once per search.

Matching (which documents) and ranking (how well) read the same posting lists; a
block's ids and weights come out of one decode, so each search keeps what it read.
Relies on whoosh-reloaded 2.7.5 internals (pinned exactly in pyproject.toml).
"""

from __future__ import annotations

from array import array

from whoosh.codec.whoosh3 import W3LeafMatcher

#: One block of one segment: (segment index, docnum offset, ids, weights).
Block = tuple[int, int, "array[int] | list[int]", "array[float] | list[float]"]


def _read_blocks(m):
    """(ids, weights) of each block of a leaf posting matcher."""
    if type(m) is not W3LeafMatcher:
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        yield ids, weights
        return
    while not m._atend:
        if m._ids is None:
            m._read_ids()
        m._read_weights()
        yield m._ids, m._weights
        if m._lastblock:
            break
        m._goto(m._nextoffset)


class Postings:
    """The posting lists of one search over one opened index."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self._blocks: dict[tuple[str, bytes], list[Block]] = {}

    def blocks(self, fieldname: str, text: str | bytes) -> list[Block]:
        try:
            btext = self.schema[fieldname].to_bytes(text) if isinstance(text, str) else text
        except (KeyError, ValueError):
            return []
        key = (fieldname, btext)
        found = self._blocks.get(key)
        if found is None:
            found = []
            for i, (reader, offset) in enumerate(self.leaves):
                if key in reader:
                    for ids, weights in _read_blocks(reader.postings(fieldname, btext)):
                        found.append((i, offset, ids, weights))
            self._blocks[key] = found
        return found

    def docs(self, fieldname: str, text: str | bytes) -> set[int]:
        out: set[int] = set()
        for _, offset, ids, _ in self.blocks(fieldname, text):
            out.update(ids if offset == 0 else (offset + d for d in ids))
        return out
