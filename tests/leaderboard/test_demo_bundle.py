"""The bundled demo (data/demo/) has the real benchmark's shape, valid items, and is
reproducible from data/build_demo.py."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from leaderboard.taxonomy import (
    DATASET_TO_SOURCE,
    FIELD_VALUES,
    OPTION_LETTERS,
    SUBDIMENSION_TO_DIMENSION,
    TABLES,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
PAPER = ROOT / "data" / "paper"
FIELDS = [
    "file_name",
    "id",
    "question",
    "options",
    "answer",
    "qtype",
    "scope",
    "image_source",
    "source_dataset",
    "dimension",
    "subdimension",
]

# ---- expected counts, copied from ../shared/paper/COUNTS.md (checked against it below) ----
SOURCES = {"NI": 1476, "SDI": 221, "AGI": 396, "AI": 489, "CGI": 183}
DIMENSIONS = {"Tech": 1378, "AIGC": 353, "Aes": 1034}
QTYPES = {"SC": 848, "MC": 830, "TF": 545, "OE": 542}
SCOPE_WITHIN_TYPE = {
    ("SC", "global"): 441,
    ("SC", "local"): 407,
    ("MC", "global"): 431,
    ("MC", "local"): 399,
    ("TF", "global"): 247,
    ("TF", "local"): 298,
    ("OE", "global"): 244,
    ("OE", "local"): 298,
}
SUBDIMENSIONS = {
    "Noise": 118,
    "Blur": 805,
    "Exposure": 176,
    "Color": 82,
    "Artifacts": 197,
    "Anatomy": 118,
    "Texture": 204,
    "Semantics": 31,
    "Emotion": 311,
    "Composition": 407,
    "Lighting": 163,
    "Style": 153,
}
DIMENSION_WITHIN_SOURCE = {
    ("NI", "Tech"): 1083,
    ("NI", "Aes"): 393,
    ("SDI", "Tech"): 114,
    ("SDI", "Aes"): 107,
    ("AGI", "Tech"): 25,
    ("AGI", "AIGC"): 353,
    ("AGI", "Aes"): 18,
    ("AI", "Aes"): 489,
    ("CGI", "Tech"): 156,
    ("CGI", "Aes"): 27,
}
DATASETS = {
    ("NI", "CGFIQA-40k"): 149,
    ("NI", "PIQ"): 184,
    ("NI", "LiveBeauty"): 196,
    ("NI", "MEBEAUTY"): 100,
    ("NI", "KonIQ-10k"): 147,
    ("NI", "SPAQ"): 118,
    ("NI", "AVA"): 500,
    ("NI", "TAD66K"): 82,
    ("SDI", "FIQA"): 145,
    ("SDI", "PIPAL"): 44,
    ("SDI", "KADID-10k"): 32,
    ("AGI", "AGHI-QA"): 217,
    ("AGI", "EvalMi-50K"): 179,
    ("AI", "ArtEmis"): 327,
    ("AI", "BAID"): 162,
    ("CGI", "CGIQA-6k"): 166,
    ("CGI", "NBU-CIQAD"): 17,
}


def _shared_paper() -> Path | None:
    """../shared/paper from the repo root (or from a worktree one level deeper)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "paper" / "COUNTS.md").exists():
            return base / "shared" / "paper"
    return None


def _load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build_demo = _load_module("build_demo", ROOT / "data" / "build_demo.py")
from demogen import predictions as sim  # noqa: E402  (importable once build_demo set the path)


@pytest.fixture(scope="module")
def items() -> list[dict]:
    with (DEMO / "metadata.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def models() -> list[dict]:
    return json.loads((DEMO / "models.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def predictions(models) -> dict[str, list[dict]]:
    out = {}
    for m in models:
        with (DEMO / m["file"]).open(encoding="utf-8") as fh:
            out[m["name"]] = [json.loads(line) for line in fh]
    return out


# ------------------------------------------------------------------ counts


def test_counts_md_agrees_with_the_literals_here():
    paper = _shared_paper()
    if paper is None:
        pytest.skip("../shared/paper/COUNTS.md not present")
    text = (paper / "COUNTS.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in text.splitlines()
        if line.startswith("| ") and "---" not in line
    }

    def pairs(cell: str) -> dict[str, int]:
        return {k: int(v) for k, v in re.findall(r"([\w-]+) (\d+)", cell)}

    assert pairs(rows["image source (Table 2, Table 3)"]) == SOURCES
    assert pairs(rows["quality dimension (Table 3)"]) == DIMENSIONS
    assert pairs(rows["question type (Table 3)"]) == QTYPES
    subs = {}
    for key in (
        "Tech sub-dimension (Table 4)",
        "AIGC sub-dimension (Table 4)",
        "Aes sub-dimension (Table 4)",
    ):
        subs.update(pairs(rows[key]))
    assert subs == SUBDIMENSIONS
    scope = {}
    for q, g, loc in re.findall(
        r"(SC|MC|TF|OE) (\d+)(?: global)? / (\d+)", rows["scope within type (Table 6)"]
    ):
        scope[(q, "global")], scope[(q, "local")] = int(g), int(loc)
    assert scope == SCOPE_WITHIN_TYPE
    within = {}
    for src, body in re.findall(
        r"(NI|SDI|AGI|AI|CGI): ([^·]+)", rows["dimension within source (Table 5)"]
    ):
        within.update({(src, d): n for d, n in pairs(body).items()})
    assert within == DIMENSION_WITHIN_SOURCE
    datasets = {}
    for src, body in re.findall(
        r"(NI|SDI|AGI|AI|CGI) = ([^;.]+(?:\.\d+)?[^;]*?)(?:;|\.\n|\.$)",
        text.split("Source datasets within image source")[1],
    ):
        datasets.update({(src, d): n for d, n in pairs(body).items()})
    assert datasets == DATASETS


def test_paper_tables_are_verbatim_copies():
    paper = _shared_paper()
    if paper is None:
        pytest.skip("../shared/paper/tables not present")
    for n in (3, 4, 5, 6):
        assert (PAPER / f"table{n}.csv").read_bytes() == (
            paper / "tables" / f"table{n}.csv"
        ).read_bytes()


def test_joint_counts_equal_the_real_benchmark(items):
    assert len(items) == 2765
    c = Counter
    assert c(i["image_source"] for i in items) == SOURCES
    assert c(i["dimension"] for i in items) == DIMENSIONS
    assert c(i["subdimension"] for i in items) == SUBDIMENSIONS
    assert c(i["qtype"] for i in items) == QTYPES
    assert c((i["qtype"], i["scope"]) for i in items) == SCOPE_WITHIN_TYPE
    assert c((i["image_source"], i["dimension"]) for i in items) == DIMENSION_WITHIN_SOURCE
    assert c((i["image_source"], i["source_dataset"]) for i in items) == DATASETS
    for i in items:  # sub-dimensions sit in their dimension, so AIGC only in AGI
        assert SUBDIMENSION_TO_DIMENSION[i["subdimension"]] == i["dimension"]
        assert DATASET_TO_SOURCE[i["source_dataset"]] == i["image_source"]


def _printed_random(key: str) -> dict[str, str]:
    with (PAPER / f"{key}.csv").open(newline="", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["model"].startswith("Random"))
    return row


@pytest.mark.parametrize("key", ["table3", "table4", "table5", "table6"])
def test_analytic_random_row_equals_the_papers(items, key):
    printed = _printed_random(key)
    for cell in TABLES[key].cells:
        sel = [i for i in items if all(i[f] == v for f, v in cell.where)]
        n_sc = sum(i["qtype"] == "SC" for i in sel)
        n_tf = sum(i["qtype"] == "TF" for i in sel)
        if printed[cell.name] == "-":
            assert n_sc + n_tf == 0, cell.name
            continue
        analytic = round(100 * (0.25 * n_sc + 0.5 * n_tf) / (n_sc + n_tf), 2)
        assert f"{analytic:.2f}" == printed[cell.name], (cell.name, n_sc, n_tf)


# ------------------------------------------------------------------ items


def test_every_item_is_valid(items):
    ids = [i["id"] for i in items]
    assert len(set(ids)) == len(ids)
    for i in items:
        assert list(i) == FIELDS, i["id"]
        for field, allowed in FIELD_VALUES.items():
            assert i[field] in allowed, (i["id"], field)
        assert i["question"].strip(), i["id"]
        assert (DEMO / i["file_name"]).is_file(), i["file_name"]
        lead = "Considering the whole image" if i["scope"] == "global" else "Looking at "
        assert i["question"].startswith(lead), i["id"]
        if i["qtype"] in ("SC", "MC"):
            assert len(i["options"]) == 4 and len(set(i["options"])) == 4, i["id"]
            assert all(o.strip() for o in i["options"])
        else:
            assert i["options"] == [], i["id"]
        if i["qtype"] == "SC":
            assert i["answer"] in OPTION_LETTERS, i["id"]
        elif i["qtype"] == "MC":
            assert 1 <= len(i["answer"]) <= 3, i["id"]
            assert i["answer"] == "".join(sorted(set(i["answer"]))), i["id"]
            assert set(i["answer"]) <= set(OPTION_LETTERS), i["id"]
        elif i["qtype"] == "TF":
            assert i["answer"] in ("True", "False"), i["id"]
        else:
            sentences = [s for s in re.split(r"(?<=\.)\s+", i["answer"].strip()) if s]
            assert 1 <= len(sentences) <= 2 and i["answer"].endswith("."), i["id"]


def test_gold_answers_are_balanced(items):
    sc = Counter(i["answer"] for i in items if i["qtype"] == "SC")
    assert set(sc) == set(OPTION_LETTERS)
    assert max(sc.values()) - min(sc.values()) <= 0.03 * 848
    tf = Counter(i["answer"] for i in items if i["qtype"] == "TF")
    assert abs(tf["True"] - tf["False"]) <= 0.03 * 545
    mc = Counter(len(i["answer"]) for i in items if i["qtype"] == "MC")
    assert set(mc) == {1, 2, 3}


def test_images_are_moderate_jpegs_all_in_use(items):
    used = {i["file_name"] for i in items}
    on_disk = {f"images/{p.name}" for p in (DEMO / "images").iterdir()}
    assert used == on_disk
    assert 100 <= len(used) <= 300
    for name in sorted(used):
        with Image.open(DEMO / name) as im:
            assert im.format == "JPEG" and 320 <= max(im.size) <= 448, name


def test_bundle_is_under_8_mb():
    size = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert size < 8_000_000, size


# ------------------------------------------------------------------ determinism


def test_generator_reproduces_metadata_and_predictions(tmp_path):
    rows, specs = build_demo.build_metadata(tmp_path)
    assert (tmp_path / "metadata.jsonl").read_bytes() == (DEMO / "metadata.jsonl").read_bytes()
    build_demo.build_predictions(tmp_path, rows, specs)
    assert (tmp_path / "models.json").read_bytes() == (DEMO / "models.json").read_bytes()
    for m in sim.MODELS:
        assert (tmp_path / m.file).read_bytes() == (DEMO / m.file).read_bytes(), m.file


def test_committed_allocation_matches_the_metadata(items):
    from demogen import allocation

    alloc = allocation.read_csv()
    got = Counter(allocation.Slot(*(i[f] for f in allocation.FIELDS)) for i in items)
    assert dict(got) == alloc


def test_allocation_solver_finds_a_solution_meeting_every_constraint():
    from demogen import allocation, counts

    alloc = allocation.solve()
    assert sum(alloc.values()) == 2765
    for cell, printed in counts.random_targets().items():
        sel = {s: n for s, n in alloc.items() if allocation.matches(s, cell.where)}
        n_sc = sum(n for s, n in sel.items() if s.qtype == "SC")
        n_tf = sum(n for s, n in sel.items() if s.qtype == "TF")
        assert counts.analytic_random(n_sc, n_tf) == printed, cell.name
    by = Counter()
    for s, n in alloc.items():
        by[(s.image_source, s.dimension)] += n
    assert by == DIMENSION_WITHIN_SOURCE


# ------------------------------------------------------------------ predictions


def test_models_json_lists_every_prediction_file(models):
    assert len(models) >= 7
    for m in models:
        assert set(m) == {"name", "file", "params", "open", "link"}
        assert "(simulated)" in m["name"]
        assert (DEMO / m["file"]).is_file()
        assert m["params"] is None or re.fullmatch(r"\d+(\.\d+)?B", m["params"])
        assert isinstance(m["open"], bool)
    assert any(m["name"].startswith("Random guess") for m in models)


def test_prediction_ids_exist_and_one_file_misses_about_20(items, predictions):
    ids = {i["id"] for i in items}
    short = []
    for name, rows in predictions.items():
        got = [r["id"] for r in rows]
        assert len(set(got)) == len(got), name
        assert set(got) <= ids, name
        assert all(
            set(r) == {"id", "prediction"} and isinstance(r["prediction"], str) for r in rows
        )
        if len(got) < len(ids):
            short.append(len(ids) - len(got))
    assert short == [20]


def test_each_model_writes_in_its_declared_styles(predictions):
    for model in sim.MODELS:
        texts = [r["prediction"] for r in predictions[model.name]]
        for style in [s for styles in model.styles.values() for s in styles] + list(model.failures):
            assert sim.style_present(style, texts), (model.name, style)


def test_raw_answers_cover_the_styles_real_models_produce(predictions):
    everything = [r["prediction"] for rows in predictions.values() for r in rows]
    for pattern in [
        r"^[ABCD]$",
        r"The answer is \([ABCD]\)\.",
        r"^[ABCD] and [ABCD]$",
        r"^True\.$",
        r"答案是[ABCD]",
        r"^(正确|错误)",
        r"^错误",
        r"^I'm sorry",
        r"^$",
        r"<think>",
        r"\*\*",
        r"\\boxed\{",
    ]:
        assert any(re.search(pattern, t) for t in everything), pattern
    options_only = predictions["TerseNet (simulated)"]
    assert any(re.fullmatch(r"[A-Z][a-z][^.]*", r["prediction"]) for r in options_only)


def test_simulated_models_spread_out_and_differ_by_category(tmp_path):
    rows, specs = build_demo.build_metadata(tmp_path)
    answers = build_demo.build_predictions(tmp_path, rows, specs)
    overall = {name: sim.intended_accuracy(a, rows)["Overall"] for name, a in answers.items()}
    real = {n: v for n, v in overall.items() if not n.startswith("Random")}
    assert 30 <= min(real.values()) <= 40 and 65 <= max(real.values()) <= 72
    assert len({round(v) for v in real.values()}) == len(real)
    # the best model is not the best everywhere: rankings differ across sub-dimensions
    best_by_sub = {
        max(answers, key=lambda n: sim.intended_accuracy(answers[n], rows, "subdimension")[s])
        for s in SUBDIMENSIONS
    }
    assert len(best_by_sub) >= 2
