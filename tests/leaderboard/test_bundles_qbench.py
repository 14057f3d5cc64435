"""Benchmark bundles in the Q-Bench family's real layouts load and score, item by item.

Fixtures are written here, in the layouts as published:
- Q-Bench-HF: the q-future/Q-Bench-HF dataset card and the "Use with datasets" example of
  github Q-Future/Q-Bench README.md: id, image, question, option0..option3 padded with "N/A",
  question_type and question_concern as integers, correct_choice a letter; Parquet shards
  data/dev-0000N-of-0000M.parquet and data/test-...; lmms-eval tasks/qbench/utils.py drops
  the "N/A" options the same way.
- LLVisionQA: llvisionqa_dev.json as read with json.load by Q-Instruct's
  eval_scripts/internlm_xcomposer_vl/eval_qbench_mcq.py (a JSON array of objects with img_path,
  question, candidates, correct_ans, and `type` / `concern` used as integer indices).
The Q-Bench-Portrait category fields (image_source, source_dataset, dimension, subdimension)
are not part of those layouts; a Portrait release in them carries these columns beside the
Q-Bench ones, and the original Q-Bench data gets them from a mapping's "defaults".
"""

from __future__ import annotations

import json
import shutil

import pytest

from leaderboard.benchmark import MAPPINGS, load_benchmark, load_local
from leaderboard.errors import BenchmarkError
from leaderboard.extract import extract
from leaderboard.scoring import baseline, score_predictions
from tests.support.bundles import jpeg_bytes, write_json_array, write_parquet_shard

PORTRAIT = {
    "image_source": "NI",
    "source_dataset": "KonIQ-10k",
    "dimension": "Tech",
    "subdimension": "Exposure",
}


def qbench_hf_rows(portrait: bool = True) -> list[dict]:
    """Dev rows in the Q-Bench-HF schema (the README's first dev item is row 0)."""
    rows = [
        {
            "id": 0,
            "question": "How is the lighting of this building?",
            "option0": "High",
            "option1": "Low",
            "option2": "Medium",
            "option3": "N/A",
            "question_type": 2,
            "question_concern": 3,
            "correct_choice": "B",
        },
        {
            "id": 1,
            "question": "Is this image clear?",
            "option0": "Yes",
            "option1": "No",
            "option2": "N/A",
            "option3": "N/A",
            "question_type": 0,
            "question_concern": 0,
            "correct_choice": "A",
        },
        {
            "id": 2,
            "question": "Is the face of the man overexposed?",
            "option0": "No",
            "option1": "Yes",
            "option2": "N/A",
            "option3": "N/A",
            "question_type": 0,
            "question_concern": 2,
            "correct_choice": "A",
        },
        {
            "id": 3,
            "question": "Which part of the portrait is the most blurred?",
            "option0": "The eyes",
            "option1": "The hair",
            "option2": "The background",
            "option3": "The hands",
            "question_type": 1,
            "question_concern": 2,
            "correct_choice": "D",
        },
        {
            "id": 4,
            "question": "What is the most severe distortion of this image?",
            "option0": "Noise",
            "option1": "Motion blur",
            "option2": "N/A",
            "option3": "N/A",
            "question_type": 1,
            "question_concern": 1,
            "correct_choice": "B",
        },
    ]
    if portrait:
        for r in rows:
            r.update(PORTRAIT)
    return rows


def write_qbench_hf(root, rows=None, test_split: bool = True):
    """data/dev-00000-of-00001.parquet (+ a test shard with overlapping ids) with images."""
    rows = qbench_hf_rows() if rows is None else rows
    write_parquet_shard(
        root / "data" / "dev-00000-of-00001.parquet",
        rows,
        [jpeg_bytes(i) for i in range(len(rows))],
    )
    if test_split:
        test = [dict(r, question=f"[test] {r['question']}") for r in rows[:2]]
        write_parquet_shard(
            root / "data" / "test-00000-of-00001.parquet",
            test,
            [jpeg_bytes(10 + i) for i in range(len(test))],
        )
    return root


def by_id(result) -> dict[str, tuple]:
    """id -> (parsed, status, score); an unparsed answer as None."""
    return {
        r.id: (r.parsed if isinstance(r.parsed, str) else None, r.status, r.score)
        for r in result.items.itertuples()
    }


def test_qbench_hf_bundle_loads_through_its_preset(tmp_path):
    bench = load_local(write_qbench_hf(tmp_path / "hf"), mapping="qbench-hf")
    items = bench.items.set_index("id")
    assert list(items.index) == ["0", "1", "2", "3", "4"]  # dev only: test shard not read
    assert items["qtype"].tolist() == ["SC", "TF", "TF", "SC", "SC"]
    assert items["scope"].tolist() == ["local", "global", "local", "local", "global"]
    # "N/A" options are absent: 3, 2, 2, 4 and 2 real options, never a gradable D
    assert [len(o) for o in items["options"]] == [3, 2, 2, 4, 2]
    assert items.loc["0", "options"] == ["High", "Low", "Medium"]
    # TF letter answers are read through the option text: A=Yes -> True, A=No -> False
    assert items["answer"].tolist() == ["B", "True", "False", "D", "B"]
    assert items.loc["1", "options"] == ["Yes", "No"]
    # the images live inside the shard and are served from there
    assert bench.image_path("3").read_bytes() == jpeg_bytes(3)


def test_qbench_hf_bundle_scores_item_by_item(tmp_path):
    bench = load_local(write_qbench_hf(tmp_path / "hf"), mapping="qbench-hf")
    result = score_predictions(
        bench,
        {
            "0": "B",  # SC, 3 options: right
            "1": "A",  # TF asked as A. Yes / B. No: the letter means Yes
            "2": "B. Yes",  # letter and words agree on Yes; gold is False (A. No)
            "3": "The answer is D.",  # 4 options: D is a real option here
            "4": "C",  # only A and B exist: names no option
        },
    )
    assert by_id(result) == {
        "0": ("B", "ok", 1.0),
        "1": ("True", "ok", 1.0),
        "2": ("True", "ok", 0.0),
        "3": ("D", "ok", 1.0),
        "4": (None, "unreadable", 0.0),
    }
    t3 = result.tables.values["table3"]
    assert t3["SC"] == pytest.approx(100 * 2 / 3) and t3["TF"] == pytest.approx(50.0)
    assert t3["Overall"] == pytest.approx(60.0)
    assert result.status_counts["unreadable"] == 1
    # Random: 1/3, 1/4 and 1/2 for the SC items by their option counts, 1/2 for each TF
    rnd = baseline(bench).values["table3"]
    assert rnd["SC"] == pytest.approx(100 * (1 / 3 + 1 / 4 + 1 / 2) / 3)
    assert rnd["Overall"] == pytest.approx(100 * (1 / 3 + 1 / 4 + 1 / 2 + 1) / 5)


def test_qbench_hf_letter_past_the_options_is_unreadable_not_a_wrong_option(tmp_path):
    bench = load_local(write_qbench_hf(tmp_path / "hf"), mapping="qbench-hf")
    result = score_predictions(bench, {"0": "D", "1": "C", "4": "The answer is (D)."})
    got = by_id(result)
    assert got["0"] == (None, "unreadable", 0.0) and got["4"] == (None, "unreadable", 0.0)
    assert got["1"] == (None, "unreadable", 0.0)
    assert got["3"] == (None, "missing", 0.0)


def test_original_qbench_hf_needs_the_portrait_fields_and_says_how(tmp_path):
    root = write_qbench_hf(tmp_path / "hf", qbench_hf_rows(portrait=False))
    with pytest.raises(BenchmarkError) as err:
        load_local(root, mapping="qbench-hf")
    text = str(err.value)
    assert "no item has image_source, source_dataset, dimension, subdimension" in text
    assert "Q-Bench-HF layout does not carry them" in text and '"defaults"' in text
    mapping = tmp_path / "qbench-hf-portrait.json"
    mapping.write_text(json.dumps({"extends": "qbench-hf", "defaults": PORTRAIT}))
    bench = load_local(root, mapping=str(mapping))
    assert bench.items["answer"].tolist() == ["B", "True", "False", "D", "B"]
    assert set(bench.items["subdimension"]) == {"Exposure"}


def test_wrong_mapping_names_the_one_that_fits(tmp_path):
    root = write_qbench_hf(tmp_path / "hf", test_split=False)
    with pytest.raises(
        BenchmarkError, match="looks like the Q-Bench-HF layout: use --mapping qbench-hf"
    ):
        load_local(root)
    path = write_json_array(tmp_path / "llv" / "llvisionqa_dev.json", llvisionqa_rows())
    with pytest.raises(
        BenchmarkError, match="looks like the LLVisionQA layout: use --mapping llvisionqa"
    ):
        load_local(path)
    with pytest.raises(BenchmarkError, match="found llvisionqa_dev.json: point --benchmark"):
        load_local(tmp_path / "llv")


def test_a_near_miss_preset_is_pointed_to_the_right_one(tmp_path):
    """qbench-options takes question_type as text; Q-Bench-HF's integer codes need qbench-hf."""
    rows = [dict(r, scope="global") for r in qbench_hf_rows()]
    root = write_qbench_hf(tmp_path / "hf", rows, test_split=False)
    with pytest.raises(BenchmarkError) as err:
        load_local(root, mapping="qbench-options")
    assert "unknown qtype '2'" in str(err.value)
    assert "it looks like the Q-Bench-HF layout: use --mapping qbench-hf" in str(err.value)


def test_both_splits_without_a_declared_one_is_refused(tmp_path):
    root = write_qbench_hf(tmp_path / "hf")
    with pytest.raises(BenchmarkError, match=r"several splits \(dev, test\)"):
        load_local(root, mapping="qbench-options")
    mapping = tmp_path / "test.json"
    mapping.write_text(json.dumps({"extends": "qbench-hf", "split": "test"}))
    assert load_local(root, mapping=str(mapping)).items["id"].tolist() == ["0", "1"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"question_type": 7}, "question_type '7' is not a code of mapping 'qbench-hf' (codes"),
        (
            {"option1": "N/A", "option2": "Blurry"},
            "option B is 'N/A' (an absent option) but a later option is not",
        ),
        ({"correct_choice": "D"}, "answer letter D is outside the item's 3 options (A-C)"),
        ({"question_type": 0}, "a TF item's options, when given, are one Yes/True and one No"),
        (
            {"option1": "n/a", "option2": "", "correct_choice": "A"},
            "SC needs 2 to 4 options, has 1",
        ),
    ],
)
def test_bad_qbench_hf_rows_are_named(tmp_path, change, message):
    rows = qbench_hf_rows()
    rows[0].update(change)
    with pytest.raises(BenchmarkError) as err:
        load_local(write_qbench_hf(tmp_path / "hf", rows), mapping="qbench-hf")
    assert "parquet rows row 1 (id '0')" in str(err.value) and message in str(err.value)


def test_tf_letter_outside_its_two_options_is_refused(tmp_path):
    rows = qbench_hf_rows()
    rows[1]["correct_choice"] = "C"
    with pytest.raises(BenchmarkError, match=r"TF answer C is outside the item's 2 options"):
        load_local(write_qbench_hf(tmp_path / "hf", rows), mapping="qbench-hf")


def test_hub_download_fetches_only_the_declared_split(tmp_path):
    src = write_qbench_hf(tmp_path / "src")
    calls = []

    def fake_download(**kwargs):
        calls.append(kwargs)
        shutil.copytree(src, tmp_path / "cache", dirs_exist_ok=True)
        return str(tmp_path / "cache")

    bench = load_benchmark("q-future/Q-Bench-HF", mapping="qbench-hf", download=fake_download)
    assert len(bench) == 5
    patterns = calls[0]["allow_patterns"]
    assert "*dev-*.parquet" in patterns and "*.parquet" not in patterns


# --------------------------------------------------------------------------- LLVisionQA


def llvisionqa_rows() -> list[dict]:
    rows = [
        {
            "img_path": "00079.jpg",
            "question": "Is the image exposed properly?",
            "candidates": ["Yes", "No"],
            "correct_ans": "No",
            "type": 0,
            "concern": 0,
        },
        {
            "img_path": "00215.jpg",
            "question": "How is the sharpness of the face?",
            "candidates": ["Good", "Fair", "Poor"],
            "correct_ans": "Poor",
            "type": 2,
            "concern": 2,
        },
        {
            "img_path": "02113.jpg",
            "question": "What is the main problem of this image?",
            "candidates": ["Overexposure", "Noise", "Out of focus", "Low contrast"],
            "correct_ans": "Noise",
            "type": 1,
            "concern": 1,
        },
        {
            "img_path": "spaq_0012.jpg",
            "question": "Does the background look natural?",
            "candidates": ["No", "Yes"],
            "correct_ans": "Yes",
            "type": 0,
            "concern": 3,
        },
    ]
    for r in rows:
        r.update(PORTRAIT)
    return rows


def test_llvisionqa_json_array_loads_through_its_preset(tmp_path):
    write_json_array(tmp_path / "llv" / "llvisionqa_dev.json", llvisionqa_rows())
    bench = load_local(tmp_path / "llv", mapping="llvisionqa")
    items = bench.items.set_index("id")
    assert list(items.index) == ["00079.jpg", "00215.jpg", "02113.jpg", "spaq_0012.jpg"]
    assert items["qtype"].tolist() == ["TF", "SC", "SC", "TF"]
    assert items["scope"].tolist() == ["global", "local", "global", "local"]
    assert items["answer"].tolist() == ["False", "C", "B", "True"]
    assert [len(o) for o in items["options"]] == [2, 3, 4, 2]
    assert bench.image_path("02113.jpg").read_bytes() == jpeg_bytes(2)


def test_llvisionqa_scores_item_by_item(tmp_path):
    path = write_json_array(tmp_path / "llv" / "llvisionqa_dev.json", llvisionqa_rows())
    bench = load_local(path, mapping="llvisionqa")  # the file itself also works
    # answers as LLaVA's "Answer with the option's letter" prompt gets them, and in words
    result = score_predictions(
        bench,
        {
            "00079.jpg": "B",  # B. No -> False: right
            "00215.jpg": "D",  # three options only: unreadable
            "02113.jpg": "B. Noise",  # right
            "spaq_0012.jpg": "A. Yes",  # A is "No" here, the words say Yes: contradictory
        },
    )
    assert by_id(result) == {
        "00079.jpg": ("False", "ok", 1.0),
        "00215.jpg": (None, "unreadable", 0.0),
        "02113.jpg": ("B", "ok", 1.0),
        "spaq_0012.jpg": (None, "unreadable", 0.0),
    }
    assert result.tables.values["table3"]["Overall"] == pytest.approx(50.0)
    words = score_predictions(
        bench, {"00079.jpg": "No, it is overexposed.", "spaq_0012.jpg": "Yes"}
    )
    assert by_id(words)["00079.jpg"] == ("False", "ok", 1.0)
    assert by_id(words)["spaq_0012.jpg"] == ("True", "ok", 1.0)


def test_llvisionqa_test_split_has_no_answers_and_says_so(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "correct_ans"} for r in llvisionqa_rows()]
    path = write_json_array(tmp_path / "llv" / "llvisionqa_test.json", rows, images=False)
    with pytest.raises(BenchmarkError, match="no item has answer"):
        load_local(path, mapping="llvisionqa")


def test_llvisionqa_images_in_their_own_folder(tmp_path):
    write_json_array(
        tmp_path / "llv" / "llvisionqa_dev.json", llvisionqa_rows(), image_dir="images"
    )
    mapping = tmp_path / "llv.json"
    mapping.write_text(json.dumps({"extends": "llvisionqa", "image_dir": "images"}))
    bench = load_local(tmp_path / "llv", mapping=str(mapping))
    assert bench.items["file_name"].tolist()[0] == "images/00079.jpg"
    assert bench.image_path("00215.jpg").read_bytes() == jpeg_bytes(1)
    # the same content under another image folder is the same benchmark version
    write_json_array(tmp_path / "flat" / "llvisionqa_dev.json", llvisionqa_rows())
    assert load_local(tmp_path / "flat", mapping="llvisionqa").hash == bench.hash


def test_a_json_metadata_file_must_be_an_array(tmp_path):
    path = tmp_path / "llv" / "llvisionqa_dev.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"items": llvisionqa_rows()}))
    with pytest.raises(BenchmarkError, match="expected a JSON array of item objects"):
        load_local(path, mapping="llvisionqa")


# --------------------------------------------------------------------------- mappings


@pytest.mark.parametrize(
    "spec, message",
    [
        (
            {"value_maps": {"qtype": {"from": "question_type", "map": {"0": "YesNo"}}}},
            "'YesNo' is not a qtype (allowed: SC, MC, TF, OE)",
        ),
        (
            {"value_maps": {"difficulty": {"from": "level", "map": {"0": "easy"}}}},
            "'difficulty' is not a canonical field",
        ),
        ({"value_maps": {"qtype": {"from": "question_type"}}}, 'must be {"from"'),
        ({"defaults": {"image_source": "Photo"}}, "'Photo' is not a image_source"),
        ({"extends": "qbench-xl"}, "extends 'qbench-xl', which is not a preset"),
        ({"metadata": "../secret.json"}, "metadata must be file names"),
        ({"colour": "blue"}, "unknown keys ['colour']"),
    ],
)
def test_mapping_files_are_checked_when_read(tmp_path, spec, message):
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(spec))
    write_json_array(tmp_path / "llv" / "llvisionqa_dev.json", llvisionqa_rows(), images=False)
    with pytest.raises(BenchmarkError) as err:
        load_local(tmp_path / "llv", mapping=str(mapping))
    assert message in str(err.value)


def test_presets_are_listed_and_the_old_ones_still_work():
    assert {"canonical", "qbench-candidates", "qbench-options", "qbench-hf", "llvisionqa"} <= set(
        MAPPINGS
    )


def test_extractor_respects_the_items_own_options():
    three = ("Good", "Fair", "Poor")
    assert extract("SC", "C", three).parsed == "C"
    assert extract("SC", "D", three).status == "unreadable"
    assert extract("MC", "All of the above", three).parsed == "ABC"
    assert extract("MC", "All of the above", ()).parsed == "ABCD"
    yes_no = ("Yes", "No")
    assert extract("TF", "A", yes_no).parsed == "True"
    assert extract("TF", "The answer is (B).", yes_no).parsed == "False"
    assert extract("TF", "A. No", yes_no).status == "unreadable"  # A is Yes: contradiction
    assert extract("TF", "A", ()).status == "unreadable"  # no options: a letter means nothing
