"""Bench: the trust views (issue 12) of the integrated Space over a store of many submissions.

Prints medians over --runs runs (default 5), with sizes, of:
  * provenance of every stored submission, as the Row details tab and /provenance build it
    (`ui.trust.TrustService`): the panel alone (provenance + its frame; cold = a fresh
    AppState reading meta.json/result.json, warm = loaded), and the whole row JSON (plus
    the stored parse report, which reads items.parquet, versions and change ids);
  * re-scoring the whole store with a changed extractor through the pipeline
    (`rescore_stale`: one change record written before each result is replaced), once, and
    what the record costs per row (building it from the two results and items, writing it);
  * the Changes view: the tab's list (`ChangesHandlers.render_changes`, 100 newest) cold
    (a fresh AppState, so a fresh change log opens the files) and warm, and opening one
    record (its cells and flips frames, `open_change`);
  * the "Unreadable %" board column (`unreadable_column`) from result.json's
    status_by_qtype, as the pipeline now stores it, and from items.parquet (rows stored
    before it was recorded);
  * the review check of one upload against every stored submission
    (`SubmissionPipeline.review_flags`): first upload (fingerprints computed) and later ones
    (fingerprints cached).

The store is generated once into a temp dir (or --store) through the submission pipeline with
the approximate judge (bench/app.py's generator: perturbed demo predictions). The "changed
extractor" makes bold single-choice answers unreadable and bumps EXTRACTOR_VERSION, so every
row is stale and its record has real flips.

    python bench/trust.py [--models 100] [--runs 5] [--store DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))  # first: `app` is the Space's app.py, not bench/app.py
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from timing import median_ms

import app as space
from analysis import trust_views as tv
from leaderboard import extract as extract_mod
from leaderboard import scoring
from leaderboard.changes import CHANGES_DIR, ChangeLog, change_record
from leaderboard.extract import Extraction
from leaderboard.settings import DEMO_BUNDLE, AppSettings
from ui.state import AppState


def _build_store():
    """bench/app.py's store generator (one definition of the bench store)."""
    spec = importlib.util.spec_from_file_location("bench_app", ROOT / "bench" / "app.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build_store, mod.perturbed


def _start(root: Path) -> AppState:
    return AppState.start(
        AppSettings(
            benchmark=str(DEMO_BUNDLE), submissions_dir=str(root), judge="approx", seed_demo=False
        )
    )


def _change_extractor() -> None:
    """A new extractor: single-choice answers in markdown bold are unreadable."""
    real = scoring._extract_cached

    def changed(qtype: str, raw: str | None, options: tuple[str, ...]) -> Extraction:
        if qtype == "SC" and raw and "**" in raw:
            return Extraction(None, "unreadable")
        return real(qtype, raw, options)

    scoring._extract_cached = changed
    extract_mod.EXTRACTOR_VERSION = extract_mod.EXTRACTOR_VERSION + "-bench"


class _Row:
    """A selected grid row, as `gr.SelectData` hands it to a handler."""

    def __init__(self, values: list) -> None:
        self.row_value, self.index, self.value = values, [0, 0], values[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--store",
        type=Path,
        default=None,
        help="an existing store folder to copy (built there if empty)",
    )
    args = ap.parse_args()
    runs = args.runs
    tmp = Path(tempfile.mkdtemp(prefix="qbp-trust-"))
    built = args.store or tmp / "built"
    build_store, perturbed = _build_store()
    if not built.exists() or not any(built.iterdir()):
        took = build_store(built, DEMO_BUNDLE, args.models)
        print(
            f"built a store of {args.models} submissions through the pipeline in "
            f"{took:.1f} s (not timed below)"
        )
    root = tmp / "subs"  # re-scoring rewrites results: work on a copy
    shutil.copytree(built, root, ignore=shutil.ignore_patterns(".lock", CHANGES_DIR))

    state = _start(root)
    h = space.Handlers(state)
    trust = state.trust
    subs = state.store.submissions(include_hidden=True, all_versions=True)
    n = len(subs)
    print(f"store: {n} submissions, {len(state.bench):,} items each")

    # ------------------------------------------------------------------ provenance
    def panels(st: AppState) -> None:
        for s in st.store.submissions(all_versions=True):
            tv.provenance_frame(st.trust.provenance(s))

    cold = median_ms(lambda: panels(_start(root)), runs)
    warm = median_ms(lambda: panels(state), runs)
    rows_cold = median_ms(
        lambda: [trust.row_json(s.id) for s in subs],
        runs,
        before=lambda: [s.__setattr__("_items", None) for s in subs],
    )
    rows_warm = median_ms(lambda: [trust.row_json(s.id) for s in subs], runs)
    print(
        f"provenance of {n} rows: panel cold {cold:.0f} ms (a fresh AppState reads the "
        f"JSON), warm {warm:.1f} ms ({warm / n:.2f} ms a row); the whole /provenance "
        f"answer {rows_cold:.0f} ms with items.parquet read ({rows_cold / n:.1f} ms a row), "
        f"{rows_warm:.0f} ms cached ({rows_warm / n:.1f} ms a row)"
    )

    # ------------------------------------------------------------------ re-score + records
    before = {s.id: (s.result, s.items().copy()) for s in subs}
    _change_extractor()
    t0 = time.perf_counter()
    done = state.pipeline.rescore_stale()
    rescore_s = time.perf_counter() - t0
    log = ChangeLog(root / CHANGES_DIR)
    ids = log.ids()
    sizes = sorted((root / CHANGES_DIR / f"{i}.json").stat().st_size for i in ids)
    flips = sorted(r["n_flips"] for r in log.list(limit=None))
    state.invalidate()
    after = {s.id: s for s in state.store.submissions(all_versions=True)}
    sample = list(before)[:10]

    def build_records() -> list:
        return [
            change_record(
                after[i].meta.model,
                before[i][0],
                after[i].result,
                before[i][1],
                after[i].items(),
                submission_id=i,
            )
            for i in sample
        ]

    build_ms = median_ms(build_records, runs) / len(sample)
    scratch = ChangeLog(tmp / "scratch")
    records = build_records()
    write_ms = median_ms(lambda: [scratch.add(r) for r in records], runs) / len(records)
    print(
        f"re-score of the store with a changed extractor: {len(done)} rows in "
        f"{rescore_s:.1f} s ({1000 * rescore_s / max(len(done), 1):.0f} ms a row, approximate "
        f"judge), {len(ids)} change records; a record costs {build_ms:.1f} ms to build "
        f"+ {write_ms:.1f} ms to write (fsync) per row; size median "
        f"{statistics.median(sizes) / 1024:.0f} KiB, max {sizes[-1] / 1024:.0f} KiB; "
        f"flips per record median {statistics.median(flips):.0f}, max {flips[-1]}, "
        f"{sum(1 for f in flips if f)} records with flips"
    )

    # ------------------------------------------------------------------ Changes view
    list_cold = median_ms(lambda: space.Handlers(_start(root)).render_changes(""), runs)
    h.render_changes("")
    list_warm = median_ms(lambda: h.render_changes(""), runs)
    newest = h.render_changes("")[0].value["data"][0]
    open_cold = median_ms(lambda: space.Handlers(_start(root)).open_change(_Row(newest)), runs)
    open_warm = median_ms(lambda: h.open_change(_Row(newest)), runs)
    rec = trust.change(newest[-1])
    print(
        f"Changes tab ({min(100, len(ids))} newest of {len(ids)} records): list cold "
        f"{list_cold:.0f} ms (fresh AppState + change log), warm {list_warm:.1f} ms; "
        f"opening one record ({rec['n_cells_changed']} cells, {rec['n_flips']} flips) cold "
        f"{open_cold:.0f} ms, warm {open_warm:.1f} ms"
    )
    startup = median_ms(lambda: _start(root), runs)
    print(
        f"(a fresh AppState over this store alone: {startup:.0f} ms, included in the cold "
        "figures above)"
    )

    # ------------------------------------------------------------------ audit column
    current = state.store.submissions(all_versions=True)
    recorded = median_ms(lambda: tv.unreadable_column(current), runs)
    legacy = [
        s.__class__(
            s.id, s.path, s.meta, {k: v for k, v in s.result.items() if k != "status_by_qtype"}
        )
        for s in current
    ]
    parquet = median_ms(
        lambda: tv.unreadable_column(legacy), runs, before=tv._UNREADABLE_CACHE.clear
    )
    print(
        f"Unreadable % for {n} rows: {recorded:.2f} ms from result.json (status_by_qtype, "
        f"as stored now), {parquet:.0f} ms from items.parquet for rows stored before it "
        f"({parquet / max(recorded, 1e-6):.0f}x)"
    )

    # ------------------------------------------------------------------ review check
    files = sorted((DEMO_BUNDLE / "predictions").glob("*.jsonl"))
    import random

    data = perturbed(files[0].read_text("utf-8").splitlines(), random.Random(10_001))
    pipe = state.pipeline
    preview = pipe.preview(data, "candidate.jsonl")
    result = pipe.stamp(pipe.judge_preview(preview))
    form = {"model": "Bench candidate"}
    first = median_ms(
        lambda: pipe.review_flags(form, result),
        runs,
        before=lambda: pipe.fingerprints._data.clear(),
    )
    cached = median_ms(lambda: pipe.review_flags(form, result), runs)
    print(
        f"review check of one upload against {n} stored: {first:.0f} ms on the first "
        f"upload (every stored answer fingerprinted), {cached:.0f} ms once cached "
        f"({first / max(cached, 1e-6):.1f}x)"
    )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
