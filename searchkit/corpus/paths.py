"""Story ids: the slug rule the corpus uses for its file names, and dates read off paths."""

from __future__ import annotations

import re
from datetime import date

#: Slugs are cut to this many characters (then any trailing "-" is dropped). Verified
#: against every file name of the 113,470-story corpus: slugify(headline) == file stem.
SLUG_MAX = 140

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DAY_CACHE: dict[str, date | None] = {}


def slugify(headline: str) -> str:
    """The file-name slug of a story headline, exactly as the corpus makes it.

    Lowercase; every run of characters other than ASCII letters and digits becomes one
    "-" (so "Jüri" gives "j-ri"); no "-" at either end; cut to 140 characters, with a
    "-" left dangling by the cut removed. A headline with no letters or digits at all
    gives "untitled".
    """
    slug = _NON_ALNUM.sub("-", headline.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "untitled"


def story_path(day: date, headline: str) -> str:
    """The id (corpus-relative path) a story gets: ``news/YYYY/MM/D/<slug>.md``.

    The month is zero-padded, the day is not, as in the corpus.
    """
    return f"news/{day.year:04d}/{day.month:02d}/{day.day}/{slugify(headline)}.md"


def date_from_path(path: str) -> date | None:
    """The date in a story path such as ``news/2017/09/5/x.md``: the three folders
    above the file name, as year/month/day. None if the path has no such date."""
    folder = path.rpartition("/")[0]
    try:
        return _DAY_CACHE[folder]
    except KeyError:
        pass
    parts = folder.rsplit("/", 3)
    found = None
    if len(parts) >= 3:
        year, month, day = parts[-3:]
        if len(year) == 4 and year.isdigit() and month.isdigit() and day.isdigit():
            try:
                found = date(int(year), int(month), int(day))
            except ValueError:
                found = None
    if len(_DAY_CACHE) < 100_000:
        _DAY_CACHE[folder] = found
    return found
