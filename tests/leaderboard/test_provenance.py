"""Provenance of a row (issue 12): what a stored row says about how it was produced, and the
optional declared fields shared by the form and the pipeline."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

import pandas as pd
import pytest

from leaderboard import SCORER_VERSION
from leaderboard.errors import InputError
from leaderboard.judges import ApproxJudge
from leaderboard.provenance import (
    DECLARED_FIELDS,
    DeclaredFieldError,
    benchmark_info,
    clean_declared,
    judge_label,
    provenance,
    reported_provenance,
    status_by_qtype,
    unreadable_share,
)
from leaderboard.store import SubmissionStore
from tests.support.storekit import GOOD, NO_RATE_LIMIT, small_bench, submit, upload


@pytest.fixture()
def store(tmp_path):
    return SubmissionStore(tmp_path / "subs", small_bench(tmp_path / "bench"))


def _prov(sub):
    return provenance(dataclasses.asdict(sub.meta), sub.result, submission_id=sub.id)


def test_stored_row_says_which_file_benchmark_scorer_and_judge_made_it(store):
    first = _submit(store, GOOD, "run.jsonl", {"model": "TestVL", "submitter": "ana"})
    data = upload({"q001": "C", "q003": "False"})
    sub = _submit(store, data, "run2.jsonl", {"model": "TestVL"})
    p = _prov(sub)
    assert p["kind"] == "verified" and p["submission_id"] == sub.id
    assert p["model"] == "TestVL" and p["version"] == 2
    assert p["file"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert p["file"]["size"] == len(data) and p["file"]["format"] == "jsonl"
    assert p["file"]["name"] == "run2.jsonl"
    assert (p["file"]["id_column"], p["file"]["prediction_column"]) == ("id", "prediction")
    assert p["file"]["missing"] == 3  # q002, q004, q005 not in the file
    assert p["benchmark"]["hash"] == store.benchmark.hash
    assert p["benchmark"]["items"] == len(store.benchmark)
    assert p["scorer_version"] == SCORER_VERSION
    assert p["judge"]["backend"] == "approx" and p["judge"]["approximate"] is True
    assert p["judge"]["label"] == "approx · lexical-v1 (approximate)"
    assert p["uploaded_at"] == sub.meta.created
    assert p["owner"] is None  # the store does not record owners yet
    assert p["status_counts"]["missing"] == 3
    assert _prov(first)["submitter"] == "ana" and _prov(first)["version"] == 1
    json.dumps(p)  # the API returns it as is


def test_declared_fields_and_recorded_extras_show_when_the_pipeline_stores_them(store):
    sub = _submit(store, GOOD, "run.jsonl", {"model": "TestVL"})
    declared = clean_declared(
        {
            "harness": "lmms-eval",
            "harness_version": "0.3.0",
            "temperature": "0",
            "max_tokens": 512,
            "thinking": False,
            "model": "ignored: not a declared field",
        }
    )
    meta = {**dataclasses.asdict(sub.meta), "declared": declared, "owner": "hf:ana"}
    result = {
        **sub.result,
        "extractor_version": "1.0.0",
        "status_by_qtype": status_by_qtype(sub.items()),
        "parse_report": {**sub.result["parse_report"], "harness": "lmms-eval"},
        "benchmark": benchmark_info(store.benchmark),
    }
    p = provenance(meta, result)
    assert p["owner"] == "hf:ana" and p["extractor_version"] == "1.0.0"
    assert p["declared"] == {
        "harness": "lmms-eval",
        "harness_version": "0.3.0",
        "prompt_template": None,
        "temperature": 0.0,
        "max_tokens": 512,
        "thinking": "off",
    }
    assert p["file"]["harness"] == "lmms-eval"
    assert "revision" in p["benchmark"] and p["benchmark"]["revision"] is None
    assert p["unreadable_closed_pct"] == 0.0


def test_a_row_from_the_paper_has_no_per_item_provenance():
    p = reported_provenance("table3")
    assert p["text"] == "from the paper, Table 3" and p["per_item"] is False
    assert reported_provenance(5)["text"] == "from the paper, Table 5"
    assert reported_provenance("Table 6")["table"] == "table6"
    with pytest.raises(ValueError, match="unknown table"):
        reported_provenance("table9")


def test_judge_label_names_backend_and_model():
    assert judge_label(None) == "none"
    assert judge_label({"backend": "none"}) == "none"
    assert judge_label({"backend": "openai", "model": "gpt-4o"}) == "openai · gpt-4o"


# ----------------------------------------------------------------------------- declared


def test_declared_fields_have_one_definition_for_form_and_pipeline():
    names = [f.name for f in DECLARED_FIELDS]
    assert len(set(names)) == len(names)
    assert set(clean_declared({})) == set(names)
    assert all(v is None for v in clean_declared({}).values())  # nothing declared
    assert all(f.label and f.max_length > 0 for f in DECLARED_FIELDS)


@pytest.mark.parametrize(
    "form, expected",
    [
        ({"temperature": "0.7"}, {"temperature": 0.7}),
        ({"temperature": 2}, {"temperature": 2.0}),
        ({"temperature": ""}, {"temperature": None}),
        ({"max_tokens": "4096"}, {"max_tokens": 4096}),
        ({"max_tokens": 512.0}, {"max_tokens": 512}),
        ({"thinking": True}, {"thinking": "on"}),
        ({"thinking": " OFF "}, {"thinking": "off"}),
        ({"thinking": "unknown"}, {"thinking": "unknown"}),
        (
            {"prompt_template": "<image>\n{question}\n\tAnswer with the letter."},
            {"prompt_template": "<image>\n{question}\n\tAnswer with the letter."},
        ),
        (
            {"prompt_template": "line one\r\nline two\r\n"},
            {"prompt_template": "line one\nline two"},
        ),
        ({"harness": "  VLMEvalKit  "}, {"harness": "VLMEvalKit"}),
    ],
)
def test_declared_values_are_cleaned(form, expected):
    cleaned = clean_declared(form)
    for key, value in expected.items():
        assert cleaned[key] == value


@pytest.mark.parametrize(
    "form, message",
    [
        ({"temperature": "hot"}, r"Temperature must be a number between 0 and 2, got 'hot'"),
        ({"temperature": 2.5}, "Temperature must be between 0 and 2, got 2.5"),
        ({"temperature": -0.1}, "Temperature must be between 0 and 2"),
        ({"temperature": math.inf}, "Temperature must be a number"),
        ({"temperature": True}, "Temperature must be a number, not true/false"),
        ({"max_tokens": 12.5}, "Max new tokens must be a whole number"),
        ({"max_tokens": 0}, "Max new tokens must be between 1 and"),
        ({"max_tokens": "lots"}, "Max new tokens must be a number"),
        ({"thinking": "maybe"}, "Thinking must be one of unknown, on, off"),
        (
            {"harness": "lmms\u202eeval"},
            r"Harness contains a control or invisible character "
            r"\(U\+202E at position 5\)",
        ),
        ({"harness": "x" * 81}, "Harness is 81 characters long; at most 80"),
        ({"harness": ["a"]}, "Harness must be text, not list"),
        ({"prompt_template": "ok\nbell\x07"}, "Prompt template, line 2, contains a control"),
        ({"prompt_template": "y" * 4001}, "Prompt template is 4001 characters long; at most 4000"),
    ],
)
def test_bad_declared_values_are_refused_naming_the_field(form, message):
    with pytest.raises(DeclaredFieldError, match=message):
        clean_declared(form)


def test_every_wrong_field_is_named_in_one_message():
    with pytest.raises(InputError) as err:
        clean_declared({"temperature": 9, "max_tokens": -1, "thinking": "perhaps"})
    text = str(err.value)
    assert "Temperature" in text and "Max new tokens" in text and "Thinking" in text


def test_a_form_that_is_not_a_mapping_is_refused():
    with pytest.raises(DeclaredFieldError, match="mapping"):
        clean_declared(["temperature", 0])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- audit


def test_unreadable_share_counts_unreadable_refused_missing_over_closed_items_only():
    items = pd.DataFrame(
        {
            "qtype": ["SC", "SC", "MC", "TF", "TF", "OE", "OE"],
            "status": ["ok", "unreadable", "refused", "missing", "ok", "refused", "judged"],
        }
    )
    by = status_by_qtype(items)
    assert by == {
        "SC": {"ok": 1, "unreadable": 1},
        "MC": {"refused": 1},
        "TF": {"missing": 1, "ok": 1},
        "OE": {"judged": 1, "refused": 1},
    }
    assert unreadable_share(by) == pytest.approx(100 * 3 / 5)  # OE refusals not counted
    assert unreadable_share({"OE": {"judged": 3}}) is None


def _submit(store, data, file_name, meta):
    """Store through the pipeline with the approximate judge and no rate limit."""
    return submit(store, data, file_name, meta, judge=ApproxJudge(), limits=NO_RATE_LIMIT)
