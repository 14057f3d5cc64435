"""`python -m leaderboard changes`: a store's change records, newest first, as the app's
Changes tab and /changes list them; filtered by model, bounded, as JSON; bad input refused."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from leaderboard.changes import CHANGES_DIR, ChangeLog, change_record
from leaderboard.cli import main
from leaderboard.judges import ApproxJudge
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline
from tests.support.storekit import NO_RATE_LIMIT
from tests.support.trustkit import PREDICTIONS, REPO, ShiftedJudge, demo_bench

ITEMS = pd.DataFrame(
    {"id": ["a", "b"], "qtype": ["SC", "SC"], "parsed": ["B", "C"], "status": ["ok", "ok"]}
)


def record(model: str, old: float, new: float, reason: str) -> dict:
    """A change record whose Overall and SC moved from `old` to `new`, one item flipping."""
    before = ITEMS.assign(score=[1.0, 0.0])
    after = ITEMS.assign(score=[1.0, 1.0] if new > old else [0.0, 0.0])
    return change_record(
        model,
        {"tables": {"table3": {"Overall": old, "SC": old}}},
        {"tables": {"table3": {"Overall": new, "SC": new}}},
        before,
        after,
        reason=reason,
    )


@pytest.fixture()
def store(tmp_path):
    """A store folder with three change records: Foo VL twice, then Bar."""
    root = tmp_path / "subs"
    log = ChangeLog(root / CHANGES_DIR)
    ids = [
        log.add(record("Foo VL", 50.0, 52.5, "scorer 1.0.0 -> 1.0.1")),
        log.add(record("Bar", 40.0, 39.0, "re-judged with openai · gpt-4o")),
        log.add(record("Foo VL", 52.5, 53.0, "benchmark revision a -> b")),
    ]
    return root, ids


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["changes", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_records_are_listed_newest_first_one_line_each(store, capsys):
    root, ids = store
    code, out, err = run(capsys, "--submissions", str(root))
    assert code == 0 and err == ""
    head, *lines = out.splitlines()
    assert head == f"3 change record(s) in {root / CHANGES_DIR}, newest first:"
    assert [line.rsplit("[", 1)[1].rstrip("]") for line in lines] == ids[::-1]
    assert (
        lines[0]
        .split("  ", 1)[1]
        .startswith(
            "Foo VL: benchmark revision a -> b; Overall 52.50 -> 53.00 (+0.50), 2 cell(s) changed, "
            "1 item(s) flipped"
        )
    )
    assert "Bar: re-judged with openai · gpt-4o; Overall 40.00 -> 39.00 (-1.00)" in lines[1]


def test_model_filter_limit_and_json(store, capsys):
    root, ids = store
    code, out, _ = run(capsys, "--submissions", str(root), "--model", "  foo vl ")
    assert code == 0 and out.startswith("2 change record(s) of '  foo vl ' in ")
    assert [line.rsplit("[", 1)[1].rstrip("]") for line in out.splitlines()[1:]] == [
        ids[2],
        ids[0],
    ]
    code, out, _ = run(capsys, "--submissions", str(root), "--limit", "1", "--json")
    listed = json.loads(out)
    assert code == 0 and [r["id"] for r in listed] == [ids[2]]
    assert listed == ChangeLog(root / CHANGES_DIR).list(limit=1)  # what /changes returns
    assert "flips" not in listed[0] and listed[0]["n_flips"] == 1
    code, out, _ = run(capsys, "--submissions", str(root), "--model", "Nobody")
    assert code == 0 and out == f"no change records of 'Nobody' in {root / CHANGES_DIR}\n"


def test_the_default_folder_is_the_apps(store, capsys, monkeypatch):
    root, ids = store
    monkeypatch.setenv("QBP_SUBMISSIONS_DIR", str(root))
    code, out, _ = run(capsys, "--limit", "2")
    assert code == 0 and out.count("\n") == 3 and ids[2] in out and ids[0] not in out


def test_a_store_without_records_and_bad_input(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, out, _ = run(capsys, "--submissions", str(tmp_path / "empty"))
    assert code == 0 and out.startswith("no change records in ")
    code, _, err = run(capsys, "--submissions", str(tmp_path / "missing"))
    assert code == 2 and err == f"error: submission folder not found: {tmp_path / 'missing'}\n"
    for bad, why in (("0", "must be from 1 to 1000, got 0"), ("ten", "not a whole number: 'ten'")):
        with pytest.raises(SystemExit) as exit_:
            main(["changes", "--submissions", str(tmp_path / "empty"), "--limit", bad])
        assert exit_.value.code == 2
        assert f"argument --limit: {why}" in capsys.readouterr().err


def test_an_unreadable_record_is_reported_and_the_others_listed(store, capsys):
    root, ids = store
    (root / CHANGES_DIR / "20990101T000000000000Z-0123456789ab.json").write_text("{not json")
    code, out, err = run(capsys, "--submissions", str(root))
    assert code == 1 and out.startswith("3 change record(s)") and all(i in out for i in ids)
    assert err.startswith("problem: ") and "20990101T000000000000Z-0123456789ab" in err


def test_a_rejudge_through_the_pipeline_is_listed_by_the_command(tmp_path):
    """The record the app's re-judge writes, read back by `python -m leaderboard changes`."""
    root = tmp_path / "subs"
    bench = demo_bench()
    pipe = SubmissionPipeline(
        bench, SubmissionStore(root, bench), judge=ApproxJudge(), limits=NO_RATE_LIMIT
    )
    data = (PREDICTIONS / "chattyvlm.jsonl").read_bytes()
    sub = pipe.submit(data, "chattyvlm.jsonl", {"model": "Chatty (9B)"}, review=False)
    assert pipe.rejudge_with(sub, ShiftedJudge())
    stored = ChangeLog(root / CHANGES_DIR).list()
    assert len(stored) == 1
    proc = subprocess.run(
        [sys.executable, "-m", "leaderboard", "changes", "--submissions", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.splitlines()[1]
    rec = stored[0]
    overall = rec["overall"]
    assert line.startswith(f"{rec['at']}  Chatty (9B): re-judged with shifted · approx+1; ")
    assert f"Overall {overall['old']:.2f} -> {overall['new']:.2f} ({overall['delta']:+.2f})" in line
    assert line.endswith(f"{rec['n_flips']} item(s) flipped  [{rec['id']}]") and rec["n_flips"]
