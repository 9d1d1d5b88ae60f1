"""The layers stay apart: the engine knows no UI, the front ends know no Whoosh."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "searchkit"
ENGINE = ["model.py", "errors.py", "engine", "corpus", "services"]
FRONT_ENDS = [
    "cli.py",
    "render.py",
    "__main__.py",
    "tui",
    "config.py",
    "state.py",
    "clipboard.py",
    "completion.py",
    "handles.py",
]


def imported_modules(path: Path) -> set[str]:
    """Top-level packages ``path`` imports, and ``searchkit.X`` for our own modules
    (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            modules = [".".join(p for p in (base, node.module or "") if p)]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            names.add(parts[0])
            if parts[0] == "searchkit" and len(parts) > 1:
                names.add(f"searchkit.{parts[1]}")
    return names


def files(parts: list[str]) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        p = PACKAGE / part
        out.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    return out


def test_engine_never_imports_rich_or_textual():
    ui = {"rich", "textual", *(f"searchkit.{p.removesuffix('.py')}" for p in FRONT_ENDS)}
    for path in files(ENGINE):
        assert not imported_modules(path) & ui, path


def test_front_ends_never_import_whoosh():
    front = files(FRONT_ENDS)
    assert len(front) > 5
    for path in front:
        assert "whoosh" not in imported_modules(path), path


def test_only_a_backend_package_imports_its_library():
    """whoosh only in backends/whoosh, tantivy only in backends/tantivy."""
    backends = PACKAGE / "engine" / "backends"
    everything = sorted(PACKAGE.rglob("*.py"))
    for library in ("whoosh", "tantivy"):
        home = backends / library
        for path in everything:
            if home in path.parents:
                continue
            assert library not in imported_modules(path), f"{path} imports {library}"


def test_the_neutral_engine_imports_no_backend():
    """The neutral engine reaches backends only through the registry, by name."""
    neutral = [p for p in files(["engine"]) if "backends" not in p.parts]
    assert len(neutral) > 10
    for path in neutral:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("searchkit.engine.backends."), path


def test_importing_the_engine_loads_no_ui_library():
    code = (
        "import sys, searchkit.engine, searchkit.engine.update, searchkit.corpus;"
        "import searchkit.services.add, searchkit.services.watch;"
        "bad = [m for m in ('rich', 'textual') if m in sys.modules];"
        "sys.exit(f'loaded {bad}' if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
