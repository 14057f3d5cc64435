"""The layers hold: the scoring core imports no Gradio and nothing above it, the view-models
import no Gradio and no app code, the app state imports no Gradio, and the store only
persists (it imports nothing that parses, extracts, scores or judges)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _loaded_after_import(modules: list[str], walk: bool) -> set[str]:
    """Top-level module names in sys.modules after importing `modules` (with `walk`, every
    module of those packages) in a fresh interpreter."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"for name in {modules!r}:\n"
        "    pkg = importlib.import_module(name)\n"
        f"    for info in pkgutil.walk_packages(pkg.__path__, name + '.') if {walk} else []:\n"
        "        if not info.name.endswith('__main__'):\n"
        "            importlib.import_module(info.name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stdout))


@pytest.mark.parametrize(
    "modules, walk, forbidden",
    [
        (["leaderboard"], True, {"gradio", "analysis", "ui", "app", "openai"}),
        (["analysis"], True, {"gradio", "ui", "app"}),
        (["ui.state", "ui.pending", "ui.trust"], False, {"gradio", "app"}),  # tabs may use it
    ],
)
def test_a_layer_imports_nothing_above_it(modules, walk, forbidden):
    loaded = _loaded_after_import(modules, walk)
    assert modules[0].split(".")[0] in loaded  # the import really happened
    assert not loaded & forbidden


def _imported_names(path: Path) -> dict[str, set[str]]:
    """{module: names} of the `from module import names` statements in a file."""
    out: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            out.setdefault(module, set()).update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out.setdefault(alias.name, set())
    return out


def test_the_store_only_persists():
    names = _imported_names(ROOT / "leaderboard" / "store.py")
    assert not {".extract", ".judges", ".limits", ".submission"} & set(names)
    assert names.get(".predictions", set()) <= {"FORMATS"}  # the stored file's format name
    assert names.get(".scoring", set()) <= {"ScoreResult"}  # what put() is handed


def test_the_cli_and_the_app_state_score_only_through_the_pipeline():
    for path in (
        ROOT / "leaderboard" / "cli.py",
        ROOT / "ui" / "state.py",
        ROOT / "ui" / "pending.py",
    ):
        names = _imported_names(path)
        used = set().union(*names.values())
        assert not used & {
            "read_predictions",
            "read_prediction_path",
            "score_predictions",
            "score_closed",
            "judge_open",
        }, path.name
