"""Every test runs with its own config, state and data folders (XDG_*_HOME), so the
suite neither reads the user's searchkit config nor writes into their home."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_xdg_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    home = tmp_path_factory.mktemp("xdg")
    for name in ("CONFIG", "STATE", "DATA", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(home / name.lower()))
    for name in ("SEARCHKIT_CORPUS", "SEARCHKIT_INDEX", "SEARCHKIT_DEBUG", "SEARCHKIT_PAGER"):
        monkeypatch.delenv(name, raising=False)
