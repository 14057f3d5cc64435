"""Project contracts a fresh machine relies on: pins, Space front matter, the CI script."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            pkg, sep, version = line.partition("==")
            assert sep, f"{name}: {line!r} is not pinned with =="
            pins[pkg.lower()] = version
    return pins


def test_every_requirement_is_pinned_exactly():
    assert {"gradio", "plotly", "pandas", "huggingface_hub", "datasets"} <= set(
        _pins("requirements.txt")
    )
    assert {"pytest", "playwright"} <= set(_pins("requirements-dev.txt"))


def test_space_front_matter_names_the_pinned_gradio_and_python():
    text = (ROOT / "README.md").read_text()
    front = text.split("---")[1]
    sdk = re.search(r"^sdk_version:\s*(\S+)", front, re.M).group(1)
    py = re.search(r'^python_version:\s*"?([\d.]+)"?', front, re.M).group(1)
    assert re.search(r"^sdk:\s*gradio$", front, re.M)
    assert re.search(r"^app_file:\s*app.py$", front, re.M)
    assert sdk == _pins("requirements.txt")["gradio"]
    assert py == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "pip install -r requirements-dev.txt && python -m pytest -n 2"
    assert command in readme
    assert ci.strip().splitlines()[-1].strip() == command
