"""Where the archive is: the corpus and index folders every command works on.

Each of the two is taken from the first of:

1. the command-line option (``--corpus DIR``, ``--index DIR``);
2. the environment (``SEARCHKIT_CORPUS``, ``SEARCHKIT_INDEX``);
3. the config file, ``$XDG_CONFIG_HOME/searchkit/config.toml`` (by default
   ``~/.config/searchkit/config.toml``), which ``searchkit init`` writes::

       corpus = "/home/me/news/corpus"
       index = "/home/me/news/index"

   (relative paths are relative to the config file's folder);
4. the nearest folder, from the current one upwards, that holds a ``corpus/`` or an
   ``index/`` folder (so the commands work from anywhere inside a checkout);
5. ``./corpus`` and ``./index``.

Standard library only (``tomllib``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from searchkit.errors import SearchkitError
from searchkit.textsafe import visible

__all__ = [
    "ConfigError",
    "Locations",
    "config_path",
    "find_upwards",
    "guess_archive",
    "load_config",
    "resolve_locations",
    "write_config",
]

ENV_CORPUS, ENV_INDEX = "SEARCHKIT_CORPUS", "SEARCHKIT_INDEX"
DEFAULT_CORPUS, DEFAULT_INDEX = "corpus", "index"
KEYS = ("corpus", "index")


class ConfigError(SearchkitError):
    """The config file exists but cannot be used."""


def config_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "searchkit" / "config.toml"


def data_home(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "searchkit"


def _absolute(value: str, base: Path) -> Path:
    path = Path(os.path.expanduser(value))
    return Path(os.path.abspath(path if path.is_absolute() else base / path))


def load_config(path: Path | None = None) -> dict[str, Path]:
    """The folders the config file names (``{}`` when there is no config file)."""
    path = config_path() if path is None else path
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {visible(str(path))}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"config file {visible(str(path))}: {exc.strerror or exc}") from None
    out: dict[str, Path] = {}
    for key in KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"config file {visible(str(path))}: {key} must be a folder name in quotes"
            )
        out[key] = _absolute(value, path.parent)
    return out


def find_upwards(start: Path) -> Path | None:
    """The nearest folder from ``start`` upwards holding a ``corpus/`` or ``index/``."""
    here = Path(os.path.abspath(start))
    for folder in (here, *here.parents):
        if (folder / DEFAULT_CORPUS).is_dir() or (folder / DEFAULT_INDEX).is_dir():
            return folder
    return None


@dataclass(frozen=True, slots=True)
class Locations:
    """The corpus and index folders, and where each choice came from (for messages)."""

    corpus: Path
    index: Path
    corpus_from: str
    index_from: str


def resolve_locations(
    corpus_option: str | None,
    index_option: str | None,
    *,
    environ: dict[str, str] | None = None,
    cwd: Path | None = None,
    config: Path | None = None,
) -> Locations:
    """Apply the order in this module's docstring to both folders."""
    env = os.environ if environ is None else environ
    here = Path(os.path.abspath(os.getcwd() if cwd is None else cwd))
    options = {"corpus": corpus_option, "index": index_option}
    envs = {"corpus": ENV_CORPUS, "index": ENV_INDEX}
    cfg = config_path(env) if config is None else config
    file_values: dict[str, Path] | None = None  # read when first needed
    above: list[Path | None] = []  # the upward lookup, done when first needed
    chosen: dict[str, tuple[Path, str]] = {}
    for key in KEYS:
        option, variable = options[key], env.get(envs[key])
        if option is not None:
            chosen[key] = (_absolute(option, here), f"--{key}")
            continue
        if variable:
            chosen[key] = (_absolute(variable, here), envs[key])
            continue
        if file_values is None:
            file_values = load_config(cfg)
        if key in file_values:
            chosen[key] = (file_values[key], f"config file {cfg}")
            continue
        if not above:
            above.append(find_upwards(here))
        folder = above[0]
        if folder is not None:
            where = "found" if folder == here else f"found above, in {folder}"
            chosen[key] = (folder / key, where)
            continue
        chosen[key] = (here / key, "default")
    return Locations(
        chosen["corpus"][0], chosen["index"][0], chosen["corpus"][1], chosen["index"][1]
    )


def looks_like_corpus(folder: Path) -> bool:
    """Whether ``folder`` is a corpus itself (it holds ``news/`` or ``articles/``)."""
    return (folder / "news").is_dir() or (folder / "articles").is_dir()


def guess_archive(folder: Path, environ: dict[str, str] | None = None) -> tuple[Path, Path] | None:
    """(corpus, index) for ``searchkit init FOLDER``, or None when it holds no corpus.

    ``FOLDER/corpus`` with ``FOLDER/index`` beside it; or ``FOLDER`` itself when it is a
    corpus, with its index in the user's data folder (a corpus folder may be
    read-only or shared, and the index is searchkit's own data).
    """
    folder = Path(os.path.abspath(folder))
    if (folder / DEFAULT_CORPUS).is_dir():
        return folder / DEFAULT_CORPUS, folder / DEFAULT_INDEX
    if looks_like_corpus(folder):
        return folder, default_index_for(folder, environ)
    return None


def default_index_for(corpus: Path, environ: dict[str, str] | None = None) -> Path:
    """An index folder for ``corpus`` in ``$XDG_DATA_HOME/searchkit/indexes``."""
    corpus = Path(os.path.abspath(corpus))
    digest = hashlib.sha256(os.fsencode(str(corpus))).hexdigest()[:8]
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in corpus.name) or "corpus"
    return data_home(environ) / "indexes" / f"{name}-{digest}"


def _toml_string(path: Path) -> str:
    # A JSON string is a TOML basic string (same escapes); surrogates cannot be written.
    return json.dumps(str(path), ensure_ascii=False)


def write_config(corpus: Path, index: Path, path: Path | None = None) -> Path:
    """Write the config file naming ``corpus`` and ``index``; returns its path."""
    path = config_path() if path is None else path
    for value in (corpus, index):
        try:
            os.fsencode(str(value)).decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(
                f"{visible(str(value))}: a folder name that is not UTF-8 cannot go in "
                "the config file; use --corpus/--index or SEARCHKIT_CORPUS/SEARCHKIT_INDEX"
            ) from None
    text = (
        "# searchkit: where the archive is (written by `searchkit init`).\n"
        "# --corpus/--index and SEARCHKIT_CORPUS/SEARCHKIT_INDEX override these.\n"
        f"corpus = {_toml_string(corpus)}\n"
        f"index = {_toml_string(index)}\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
