"""The sentences and HTML the tabs show, now owned by the views they describe: counts are
right and every user-sent name stays text."""

from __future__ import annotations

from analysis import about, compare_views, drilldown, item_views, report

EVIL = '<img src=x onerror="alert(1)">**Evil**'
SUMMARY = {
    "file_name": "p.jsonl",
    "format": "jsonl",
    "rows": 3,
    "id_column": "id",
    "prediction_column": "prediction",
    "matched": 3,
    "missing": 0,
    "unknown": 0,
    "empty": 0,
    "missing_ids": [],
    "unknown_ids": [],
    "status_counts": {"ok": 3},
    "examples": {},
}


def test_the_drill_down_count_line_counts_and_escapes_the_models():
    line = drilldown.count_markdown(173, 2765, [EVIL, "M2"])
    assert line.startswith("**173** of 2765 items match · models: ")
    assert "<img" not in line and "&lt;img" in line and line.endswith(", M2")
    assert drilldown.count_markdown(0, 10, []).endswith("models: no model chosen")


def test_the_failure_count_line_needs_two_models():
    assert item_views.failures_markdown(4, 3).startswith(
        "**4** items every counted verified model scores 0 on (3 verified models;"
    )
    assert "At least two verified models" in item_views.failures_markdown(0, 1)


def test_the_accepted_message_is_text_and_carries_the_parse_report():
    out = report.accepted_html(
        f"Accepted: {EVIL} (version 1) is on the board, rank 2 of 9.", SUMMARY
    )
    assert "<img" not in out and "&lt;img" in out
    assert out.startswith("<div class='qbp-ok'><b>Accepted: ")
    assert "<h4>Parse report</h4>" in out and "Matched 3 benchmark items" in out


def test_moderation_messages_escape_the_model():
    assert report.moderated_html(EVIL, True).endswith(" is now hidden from the board.</div>")
    assert "<img" not in report.moderated_html(EVIL, False)
    assert "shown on the board" in report.moderated_html("M", False)


def test_the_header_names_benchmark_and_judge_and_a_source_cannot_break_out():
    head = about.header_markdown(
        "Q-Bench-Portrait",
        "data/demo`<b>x</b>",
        2765,
        "abc123",
        about.judge_label({"backend": "approx", "approximate": True}),
    )
    assert head.startswith("# Q-Bench-Portrait\n")
    assert "`data/demo&lt;b&gt;x&lt;/b&gt;`: 2765 items (`abc123`)" in head
    assert "OE judge: **approx (approximate)**" in head
    assert (
        about.judge_label(None) == "none" and about.judge_label({"backend": "openai"}) == "openai"
    )


def test_a_compare_problem_naming_a_model_is_escaped_markdown():
    text = compare_views.problem_markdown(f"'{EVIL}' is not a verified model")
    assert text.startswith("*") and text.endswith("*") and "<img" not in text
    assert "\\*\\*Evil\\*\\*" in text


def test_the_parse_report_names_the_harness_and_shows_warnings_as_text():
    """An upload's report says which harness layout was recognised and shows the reader's
    warnings (e.g. ids that look like row numbers) escaped, never as markup."""
    from leaderboard.benchmark import load_benchmark
    from leaderboard.predictions import read_predictions
    from tests.support import harness_files as hf

    bench = load_benchmark(str(hf.DEMO))
    items = bench.items.head(40).to_dict(orient="records")
    replies = {r["id"]: "The answer is (B)." for r in items}
    data = hf.vlmevalkit_file(hf.vlmevalkit_frame(items, replies), "tsv")
    pred = read_predictions(data, "MyVLM_QBenchPortrait.tsv", bench)
    summary = report.summarise(pred.report, {"ok": 40})
    assert summary["harness"] == pred.report.harness and "VLMEvalKit" in summary["harness"]
    html_text = report.summary_html(summary)
    assert summary["harness"] in html_text
    evil = dict(summary, warnings=["<img src=x onerror=alert(1)> ids look like row numbers"])
    shown = report.summary_html(evil)
    assert "<img" not in shown and "&lt;img src=x" in shown and "Warning:" in shown
