"""A Whoosh segment writer tuned for bulk builds.

Relies on whoosh-reloaded 2.7.5 internals (pinned exactly in pyproject.toml).
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

#: Memory each Whoosh writer may use before spilling to disk (measured best: 512).
WRITER_LIMIT_MB = 512
#: Segments stay separate files: Whoosh copies each member of a compound segment file
#: into memory when it opens it (~0.15 s a search process on the large corpus).
COMPOUND = False


class _Lengths:
    """Per-document field lengths served from memory while a segment is flushed.

    Whoosh's flush asks for the length of every posting's document: from a column
    file, a seek and a read each (and, for fields without lengths, a stat each) —
    ~15% of a build. This reads each length column once instead. Relies on
    whoosh-reloaded 2.7.5 internals (pinned exactly in pyproject.toml).
    """

    def __init__(self, pdr, schema) -> None:
        self._pdr = pdr
        self._lengths: dict[str, bytes] = {}
        for name in schema.scorable_names():
            reader = pdr._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            if reader is not None:
                self._lengths[name] = bytes(reader)

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            return default
        b = lengths[docnum]
        return byte_to_length(b) if b else default

    def close(self) -> None:
        self._pdr.close()


class _FastSegmentWriter(SegmentWriter):
    def per_document_reader(self):
        return _Lengths(super().per_document_reader(), self.schema)


def segment_writer(ix, **kwargs) -> SegmentWriter:
    """A Whoosh writer tuned for bulk builds (lengths in memory, light compression)."""
    kwargs.setdefault("limitmb", WRITER_LIMIT_MB)
    return _FastSegmentWriter(ix, compound=COMPOUND, codec=W3Codec(compression=1), **kwargs)
