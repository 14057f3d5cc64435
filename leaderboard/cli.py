"""`python -m leaderboard score|rescore|changes ...`: the scoring CLI, a contract other tools
rely on.

`score` prints the Table 3 row and the status counts; `--json OUT` writes the full result.
Open-ended answers are judged as the app judges them by default (`--judge approx`, the
offline approximate judge, labelled so in the output); `--judge none` leaves them unjudged
and the output says why Overall is "-".
`rescore` re-scores stored submissions made with another scorer or benchmark version (exit 1
when some could not be). Both run the one submission pipeline (`leaderboard.submission`),
as the app does. `changes` lists a store's change records (what each re-score or re-judge
moved), newest first, as the app's Changes tab and /changes do (exit 1 when some record
could not be read). Bad input exits with status 2 and the message on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from .benchmark import MAPPINGS, load_benchmark
from .changes import CHANGES_DIR, ChangeLog
from .errors import InputError
from .judges import add_judge_arguments, judge_from_args
from .settings import DEMO_BUNDLE, AppSettings, Limits
from .submission import SubmissionPipeline
from .taxonomy import TABLES

#: The judge the app uses unless configured otherwise (QBP_JUDGE=auto: the approximate one),
#: so a CLI run gives the numbers the board shows.
APP_JUDGE = "approx"
MAX_CHANGES = 1000  # records `changes` lists at most (as /changes)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_table3(name: str, values: dict[str, float | None]) -> str:
    """The Table 3 row as an aligned two-line text table."""
    cols = TABLES["table3"].cells
    width = max(len(name), 5)
    head = f"{'model':<{width}}  " + " ".join(f"{c.label:>7}" for c in cols)
    row = f"{name:<{width}}  " + " ".join(f"{_fmt(values.get(c.name)):>7}" for c in cols)
    return head + "\n" + row


def judge_line(judge: dict | None, unjudged: int) -> str:
    """Who judged the open-ended answers, approximate or not; without a judge, why OE and
    Overall print "-"."""
    if not judge:
        if not unjudged:
            return "judge: none (no open-ended items to judge)"
        return (
            f"judge: none, so {unjudged} open-ended answer(s) are unjudged and OE and "
            'Overall print "-"; --judge approx (the app\'s default) or --judge openai '
            "scores them"
        )
    j = judge
    line = f"judge: {j['backend']} {j.get('model') or ''}".rstrip()
    if j.get("approximate"):
        line += " (approximate: an offline lexical judge, not the paper's GPT judge)"
    return line + (f"; calls {j['calls']}, cache hits {j['cache_hits']}, failures {j['failures']}")


def write_json_atomic(path: Path, payload: dict) -> None:
    """Write then rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, indent=1, allow_nan=False)
    os.replace(tmp, path)


def result_intervals(result, seed: int, resamples: int) -> dict:
    """{table: {cell: [low, high] | None}} in percent for one scored submission."""
    from .bootstrap import cell_intervals
    from .scoring import cell_masks

    if resamples < 100:
        raise InputError(f"--resamples must be at least 100, got {resamples}")
    ci = cell_intervals(
        result.scores[None, :],
        cell_masks(result.benchmark).as_dict(),
        resamples=resamples,
        seed=seed,
        clusters=result.benchmark.image_clusters,
    )
    return {
        table: {cell: (list(v) if v is not None else None) for cell, v in cells.items()}
        for table, cells in ci.to_dicts()[0].items()
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m leaderboard", description="Q-Bench-Portrait reference scorer"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="score one prediction file")
    score.add_argument(
        "--benchmark",
        default=str(DEMO_BUNDLE),
        help="local bundle folder or Hub dataset repo id (default: the demo)",
    )
    score.add_argument(
        "--mapping", default=None, help=f"column mapping: {', '.join(MAPPINGS)} or a JSON file"
    )
    score.add_argument("--revision", default=None, help="Hub revision (branch, tag, commit)")
    score.add_argument("--predictions", required=True, help="JSONL, JSON, CSV, TSV or Parquet")
    score.add_argument("--model", default=None, help="model name shown in the output")
    score.add_argument("--json", dest="json_out", default=None, help="write the full result")
    add_judge_arguments(score, default=APP_JUDGE)
    score.add_argument(
        "--intervals",
        action="store_true",
        help="add 95%% bootstrap intervals of every cell to the JSON",
    )
    score.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    score.add_argument(
        "--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)"
    )
    rescore = sub.add_parser(
        "rescore", help="re-score stored submissions whose scorer or benchmark version changed"
    )
    rescore.add_argument("--submissions", required=True, help="the submission store folder")
    rescore.add_argument(
        "--benchmark",
        default=str(DEMO_BUNDLE),
        help="local bundle folder or Hub dataset repo id (default: the demo)",
    )
    rescore.add_argument("--mapping", default=None, help="column mapping (as for score)")
    rescore.add_argument("--revision", default=None, help="Hub revision (branch, tag, commit)")
    rescore.add_argument(
        "--clean", action="store_true", help="also remove temp folders left by interrupted writes"
    )
    add_judge_arguments(rescore, default=APP_JUDGE)
    changes = sub.add_parser(
        "changes", help="list the change records of a submission store, newest first"
    )
    changes.add_argument(
        "--submissions",
        default=None,
        help="the submission store folder (default: QBP_SUBMISSIONS_DIR, else ./submissions)",
    )
    changes.add_argument("--model", default=None, help="only this model's records")
    changes.add_argument(
        "--limit",
        type=_count,
        default=20,
        help=f"at most this many records (default 20, at most {MAX_CHANGES})",
    )
    changes.add_argument(
        "--json", action="store_true", help="print the records' summaries as a JSON list"
    )
    return parser


def _count(text: str) -> int:
    """`--limit`: a whole number from 1 to MAX_CHANGES (argparse names the option)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_CHANGES:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_CHANGES}, got {value}")
    return value


def _delta(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def change_line(record: dict) -> str:
    """One change record as one line: when, which row, why, what moved, its id."""
    overall = record.get("overall") or {}
    return (
        f"{record.get('at', '?')}  {record.get('model', '?')}: {record.get('reason', '')}; "
        f"Overall {_fmt(overall.get('old'))} -> {_fmt(overall.get('new'))} "
        f"({_delta(overall.get('delta'))}), {record.get('n_cells_changed', 0)} cell(s) "
        f"changed, {record.get('n_flips', 0)} item(s) flipped  [{record.get('id', '?')}]"
    )


def cmd_changes(args: argparse.Namespace) -> int:
    """Print the store's change records, newest first; exit 1 if some could not be read."""
    root = Path(args.submissions or AppSettings.from_env().submissions_dir)
    if not root.is_dir():
        raise InputError(f"submission folder not found: {root}")
    log = ChangeLog(root / CHANGES_DIR)
    records = log.list(limit=args.limit, model=args.model) if log.root.is_dir() else []
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=1, allow_nan=False))
    else:
        whose = f" of {args.model!r}" if args.model else ""
        if not records:
            print(f"no change records{whose} in {log.root}")
        else:
            print(f"{len(records)} change record(s){whose} in {log.root}, newest first:")
            for record in records:
                print(change_line(record))
    for problem in log.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if log.problems else 0


def cmd_rescore(args: argparse.Namespace) -> int:
    """Re-score stale submissions from their stored raw files; exit 1 if any could not be."""
    from .store import SubmissionStore

    root = Path(args.submissions)
    if not root.is_dir():
        raise InputError(f"submission folder not found: {root}")
    bench = load_benchmark(args.benchmark, mapping=args.mapping, revision=args.revision)
    store = SubmissionStore(root, bench)
    pipeline = SubmissionPipeline(
        bench, store, judge=judge_from_args(args), limits=Limits.from_env()
    )
    subs = store.scan()
    stale = [s for s in subs if store.is_stale(s)]
    print(f"benchmark {bench.source} ({len(bench)} items, {bench.hash})")
    print(f"{len(subs)} submission(s), {len(stale)} stale")
    done = pipeline.rescore_stale()
    for sub_id in done:
        print(f"re-scored {sub_id}")
    leftovers = list(store.leftovers)
    if leftovers and args.clean:
        store.clean_leftovers()
        print(f"removed {len(leftovers)} temp folder(s) left by interrupted writes")
    elif leftovers:
        print(
            f"{len(leftovers)} temp folder(s) left by interrupted writes "
            f"({', '.join(leftovers[:5])}); --clean removes them"
        )
    for problem in store.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if store.problems else 0


def cmd_score(args: argparse.Namespace) -> int:
    bench = load_benchmark(args.benchmark, mapping=args.mapping, revision=args.revision)
    pipeline = SubmissionPipeline(bench, limits=Limits.from_env())
    preview = pipeline.preview(*pipeline.read_file(args.predictions))  # before the judge
    try:
        pipeline.judge = judge_from_args(args)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    progress = None
    if pipeline.judge is not None and sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            print(f"\rjudging OE answers: {done}/{total}", end="", file=sys.stderr)

    try:
        result = pipeline.judge_preview(preview, progress)
    finally:
        getattr(pipeline.judge, "close", lambda: None)()
    name = args.model or Path(args.predictions).stem
    rep = preview.upload.report
    print(f"benchmark {bench.source} ({len(bench)} items, {bench.hash})")
    print(
        f"predictions {rep.file_name}: {rep.format}, {rep.rows} rows, id column "
        f"{rep.id_column!r}, prediction column {rep.prediction_column!r}; matched "
        f"{rep.matched}, missing {rep.missing}, unknown {rep.unknown}, empty {rep.empty}"
    )
    print(format_table3(name, result.tables.values["table3"]))
    print("status: " + ", ".join(f"{k} {v}" for k, v in result.status_counts.items() if v))
    for cell, why in result.tables.null_reasons.get("table3", {}).items():
        print(f"  {cell} is null: {why}")
    print(judge_line(result.judge, int(result.status_counts.get("unjudged", 0))))
    if args.json_out:
        payload = result.to_json()
        payload["model"] = name
        if args.intervals:
            payload["intervals"] = result_intervals(result, args.seed, args.resamples)
            payload["intervals_info"] = {
                "level": 0.95,
                "seed": args.seed,
                "resamples": args.resamples,
                "clustered_by_image": bench.image_clusters is not None,
            }
        write_json_atomic(Path(args.json_out), payload)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "score":
            return cmd_score(args)
        if args.command == "rescore":
            return cmd_rescore(args)
        if args.command == "changes":
            return cmd_changes(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1
