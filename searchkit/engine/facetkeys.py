"""Facet values: one key per value however it is written, and labels for "none".

Tags and outlet names are written many ways in real archives ("Israeli-Palestinian
conflict" / "Israeli–Palestinian conflict", "Syrian civil war" / "Syrian Civil War",
"Al Jazeera" / "Aljazeera", "AFP via Yahoo! News" / "AFP via Yahoo News"). A value's
key keeps only its letters and digits, case- and accent-folded, so all of these
collapse; outlets also lose a leading "The" and go through a small alias table
(``outlet_aliases.json``, data kept in the package) for names that differ by more.
Backends count and filter by key; the engine shows each key in its commonest form.

Documents without a value for a facet have the key ``NONE`` and are counted in an
explicit bucket ("undated", "(unknown outlet)", "(no tag)"), so every document of a
result is in some bucket of every facet.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

from searchkit.engine.analysis import fold

#: The key of "no value". Not a letter or digit, so no real value maps to it.
NONE = "-"
NONE_LABELS = {"tag": "(no tag)", "source": "(unknown outlet)", "year": "undated"}


@cache
def _aliases() -> dict[str, str]:
    raw = resources.files("searchkit.engine").joinpath("outlet_aliases.json").read_text("utf-8")
    table: dict[str, list[str]] = json.loads(raw)
    out: dict[str, str] = {}
    for canonical, variants in table.items():
        key = _outlet_key(canonical)
        for variant in variants:
            out[_outlet_key(variant)] = key
    return out


def _fold_key(value: str) -> str:
    text = fold(unicodedata.normalize("NFKC", value).casefold())
    return "".join(ch for ch in text if ch.isalnum())


def _outlet_key(value: str) -> str:
    stripped = value.strip()
    if stripped[:4].lower() == "the " and len(stripped) > 4:
        stripped = stripped[4:]  # "The Guardian" is "Guardian"
    return _fold_key(stripped)


@cache
def key(facet: str, value: str) -> str:
    """The key of a facet value as written (or as a front end shows it)."""
    if facet == "year":
        value = value.strip()
        return NONE if value == NONE_LABELS["year"] or not value.isdigit() else value
    if facet == "kind":
        return value.strip().lower()
    if value == NONE_LABELS.get(facet):
        return NONE
    k = _outlet_key(value) if facet == "source" else _fold_key(value)
    if not k:
        return "".join(value.split()).casefold() or NONE
    return _aliases().get(k, k) if facet == "source" else k


def label(facet: str, key_or_form: str) -> str:
    """What a front end shows for a key that has no written form (the NONE bucket)."""
    if key_or_form == NONE:
        return NONE_LABELS.get(facet, key_or_form)
    return key_or_form
