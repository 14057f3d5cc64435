"""Bench: the trust views (issue 12) over a store of many submissions.

Prints medians over --runs runs (default 5), with sizes, of:
  * provenance of every stored submission: cold (a fresh store reads meta.json/result.json,
    then provenance + panel frame for each) and warm (store loaded, provenance + frame);
  * the Changes view: writing N change records (change_record + ChangeLog.add, what one
    re-score of the whole store adds), listing them cold (a fresh ChangeLog opens N files)
    and warm (parsed records cached), the list frame, and one record's flips frame;
  * the "Unreadable %" column for every row: from items.parquet (two columns) as today,
    and from result.json's status_by_qtype once the pipeline records it;
  * the review copy check of one upload against every stored submission (normalising all
    answers, and with the others' normalised answers cached).

The store is generated once into a temp dir (or --store) through the store's normal `add`
path with the approximate judge (bench/app.py's generator: perturbed demo predictions).
Change records compare stored submission k with k+1 (two files of the same style), so each
has realistic flips; re-scoring itself is not timed.

    python bench/trust.py [--models 100] [--runs 5] [--store DIR]
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from timing import median_ms  # noqa: E402

from analysis import trust_views as tv  # noqa: E402
from leaderboard.benchmark import load_benchmark  # noqa: E402
from leaderboard.changes import ChangeLog, change_record  # noqa: E402
from leaderboard.provenance import provenance, status_by_qtype  # noqa: E402
from leaderboard.review import answer_fingerprints, review_flags  # noqa: E402
from leaderboard.settings import DEMO_BUNDLE  # noqa: E402
from leaderboard.store import SubmissionStore  # noqa: E402


def _build_store():
    """bench/app.py's store generator (one definition of the bench store)."""
    spec = importlib.util.spec_from_file_location("bench_app", ROOT / "bench" / "app.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--store", type=Path, default=None,
                    help="an existing store folder to reuse (built there if empty)")
    args = ap.parse_args()
    runs = args.runs
    tmp = Path(tempfile.mkdtemp(prefix="qbp-trust-"))
    root = args.store or tmp / "subs"
    bench = load_benchmark(DEMO_BUNDLE)
    if not root.exists() or not any(root.iterdir()):
        took = _build_store()(root, DEMO_BUNDLE, args.models)
        print(f"built a store of {args.models} submissions in {took:.1f} s (not timed below)")
    store = SubmissionStore(root, bench)
    subs = store.submissions(include_hidden=True, all_versions=True)
    n = len(subs)
    json_bytes = sum((s.path / f).stat().st_size for s in subs
                     for f in ("meta.json", "result.json"))
    print(f"store: {n} submissions, {len(bench):,} items each; meta+result JSON "
          f"{json_bytes / 1024:.0f} KiB in all")

    # ------------------------------------------------------------------ provenance
    def prov_all(ss) -> None:
        for s in ss:
            tv.provenance_frame(provenance(dataclasses.asdict(s.meta), s.result,
                                           submission_id=s.id))

    cold = median_ms(lambda: prov_all(SubmissionStore(root, bench).submissions(
        include_hidden=True, all_versions=True)), runs)
    warm = median_ms(lambda: prov_all(subs), runs)
    one = median_ms(lambda: prov_all(subs[:1]), runs * 20)
    size = len(json.dumps(provenance(dataclasses.asdict(subs[0].meta), subs[0].result)))
    print(f"provenance of {n} rows: cold {cold:.1f} ms (fresh store reads JSON), warm "
          f"{warm:.1f} ms; one row {one:.2f} ms; {size:,} bytes of JSON per row")

    # ------------------------------------------------------------------ changes
    items = [s.items() for s in subs]  # loaded once, as the re-score path has them
    log_root = tmp / "changes"
    t0 = time.perf_counter()
    records = [change_record(subs[k].meta.model, subs[k].result, subs[k + 1].result,
                             items[k], items[k + 1], submission_id=subs[k].id)
               for k in range(n - 1)]
    make_ms = 1000 * (time.perf_counter() - t0) / max(len(records), 1)
    log = ChangeLog(log_root)
    t0 = time.perf_counter()
    for r in records:
        log.add(r)
    add_ms = 1000 * (time.perf_counter() - t0) / max(len(records), 1)
    sizes = sorted((log_root / f"{i}.json").stat().st_size for i in log.ids())
    flips = sorted(r["n_flips"] for r in records)
    print(f"change records: {len(records)}; building one {make_ms:.1f} ms, writing one "
          f"{add_ms:.1f} ms (fsync); size median {statistics.median(sizes) / 1024:.0f} KiB, "
          f"max {sizes[-1] / 1024:.0f} KiB; flips per record median "
          f"{statistics.median(flips):.0f}")
    list_cold = median_ms(lambda: tv.changes_frame(ChangeLog(log_root).list(limit=100)), runs)
    warm_log = ChangeLog(log_root)
    warm_log.list(limit=100)
    list_warm = median_ms(lambda: tv.changes_frame(warm_log.list(limit=100)), runs)
    newest = warm_log.list(limit=1)[0]["id"]
    get_cold = median_ms(lambda: ChangeLog(log_root).get(newest), runs)
    rec = warm_log.get(newest)
    flips_ms = median_ms(lambda: tv.flips_frame(rec), runs)
    print(f"Changes view ({min(100, len(records))} newest of {len(records)}): cold "
          f"{list_cold:.1f} ms (opens the files), warm {list_warm:.1f} ms (summaries "
          f"cached); opening one record cold {get_cold:.1f} ms, its flips frame "
          f"({rec['n_flips']} flips) {flips_ms:.1f} ms")

    # ------------------------------------------------------------------ audit column
    parquet = median_ms(lambda: tv.unreadable_column(subs), runs,
                        before=tv._UNREADABLE_CACHE.clear)
    cached = median_ms(lambda: tv.unreadable_column(subs), runs)
    recorded = [dataclasses.replace(s, result={**s.result,
                                               "status_by_qtype": status_by_qtype(i)})
                for s, i in zip(subs, items)]
    fast = median_ms(lambda: tv.unreadable_column(recorded), runs)
    print(f"Unreadable % for {n} rows: {parquet:.1f} ms from items.parquet (qtype, status; "
          f"{cached:.2f} ms once read), {fast:.2f} ms from result.json status_by_qtype "
          f"({parquet / max(fast, 1e-6):.0f}x)")

    # ------------------------------------------------------------------ review copy check
    cand = items[0]
    others_raw = [(f"owner{k}", i) for k, i in enumerate(items[1:], start=1)]
    others_norm = [(o, answer_fingerprints(i)) for o, i in others_raw]
    raw_ms = median_ms(lambda: review_flags(cand, subs[0].result, bench, others_raw, None),
                       runs)
    cached_ms = median_ms(lambda: review_flags(cand, subs[0].result, bench, others_norm,
                                               None), runs)
    print(f"review flags of one upload against {len(others_raw)} stored: {raw_ms:.0f} ms "
          f"normalising every answer, {cached_ms:.0f} ms with the stored answers' "
          f"fingerprints cached (FingerprintCache) "
          f"({raw_ms / max(cached_ms, 1e-6):.1f}x)")


if __name__ == "__main__":
    main()
