"""Benchmark loader: validation messages, column mappings, content hash, Hub path."""

from __future__ import annotations

import json
import shutil

import pytest

from leaderboard.benchmark import load_benchmark, load_local
from leaderboard.errors import BenchmarkError
from tests.support.bundles import OPTIONS, item, write_bundle


def good_rows() -> list[dict]:
    return [
        item(1, "SC", "B"),
        item(2, "MC", "A, C"),
        item(3, "TF", "False"),
        item(4, "OE", "B"),
        item(5, "MC", ["D", "B"]),
        item(6, "SC", "(C)"),
    ]


def test_valid_bundle_loads_with_canonical_answers(tmp_path):
    bench = load_local(write_bundle(tmp_path / "b", good_rows()))
    assert len(bench) == 6
    assert bench.items["answer"].tolist()[:3] == ["B", "AC", "False"]
    assert bench.items["answer"].tolist()[4:] == ["BD", "C"]
    assert bench.items.loc[2, "options"] == []  # TF carries no options
    assert bench.hash.startswith("sha256:")


def test_bundle_without_oe_items_is_valid(tmp_path):
    rows = [r for r in good_rows() if r["qtype"] != "OE"]
    assert len(load_local(write_bundle(tmp_path / "b", rows))) == 5


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda rows: rows.append(dict(rows[0])), "duplicate id (first seen at row 1)"),
        (lambda rows: rows[0].update(image_source="Photo"), "unknown image_source 'Photo'"),
        (lambda rows: rows[0].update(qtype="Essay"), "unknown qtype 'Essay'"),
        (lambda rows: rows[0].update(subdimension="Glare"), "unknown subdimension 'Glare'"),
        (
            lambda rows: rows[0].update(options=rows[0]["options"][:1], answer="A"),
            "SC needs 2 to 4 options, has 1",
        ),
        (
            lambda rows: rows[0].update(options=rows[0]["options"][:3], answer="D"),
            "answer letter D is outside the item's 3 options (A-C)",
        ),
        (lambda rows: rows[0].update(answer="E"), "is not an option letter"),
        (lambda rows: rows[0].update(answer="AB"), "SC answer must be one letter"),
        (lambda rows: rows[2].update(answer="Maybe"), "TF answer must be True or False"),
        (lambda rows: rows[0].update(question="   "), "empty question"),
        (lambda rows: rows[0].pop("scope"), "missing field(s) scope"),
        (lambda rows: rows[0].update(subdimension="Emotion"), "does not belong to dimension"),
        (lambda rows: rows[0].update(source_dataset="FIQA"), "does not belong to image_source"),
    ],
)
def test_each_invalid_item_is_named_by_row_and_id(tmp_path, mutate, expected):
    rows = good_rows()
    mutate(rows)
    with pytest.raises(BenchmarkError) as err:
        load_local(write_bundle(tmp_path / "b", rows))
    text = str(err.value)
    assert expected in text
    assert "metadata.jsonl row " in text and "(id 'q" in text


def test_all_problems_are_listed_at_once(tmp_path):
    rows = good_rows()
    rows[0]["qtype"] = "XX"
    rows[3]["question"] = ""
    with pytest.raises(BenchmarkError) as err:
        load_local(write_bundle(tmp_path / "b", rows))
    assert "2 invalid item(s)" in str(err.value)
    assert "row 1 (id 'q001')" in str(err.value) and "row 4 (id 'q004')" in str(err.value)


def test_broken_json_line_names_the_line(tmp_path):
    root = write_bundle(tmp_path / "b", good_rows())
    with (root / "metadata.jsonl").open("a") as fh:
        fh.write("{not json\n")
    with pytest.raises(BenchmarkError, match="metadata.jsonl line 7: not valid JSON"):
        load_local(root)


def test_hash_is_stable_and_tracks_scored_fields(tmp_path):
    a = load_local(write_bundle(tmp_path / "a", good_rows()))
    b = load_local(write_bundle(tmp_path / "b", good_rows()))
    assert a.hash == b.hash
    rows = good_rows()
    rows[0]["answer"] = "C"
    assert load_local(write_bundle(tmp_path / "c", rows)).hash != a.hash


def _qbench_rows() -> list[dict]:
    out = []
    for r in good_rows():
        if r["qtype"] == "OE":
            continue
        q = {k: v for k, v in r.items() if k not in ("options", "answer", "file_name")}
        q["img_path"] = r["file_name"]
        if r["qtype"] in ("SC", "MC"):
            q["candidates"] = r["options"]
            gold = load_letters(r["answer"])
            texts = [r["options"]["ABCD".index(ch)] for ch in gold]
            q["correct_ans"] = texts[0] if r["qtype"] == "SC" else texts
        else:
            q["candidates"] = []
            q["correct_ans"] = "No" if r["answer"] == "False" else "Yes"
        out.append(q)
    return out


def load_letters(answer) -> str:
    text = "".join(answer) if isinstance(answer, list) else answer
    return "".join(sorted({ch for ch in text if ch in "ABCD"}))


def test_qbench_candidates_mapping_gives_the_same_benchmark(tmp_path):
    canonical = load_local(
        write_bundle(tmp_path / "a", [r for r in good_rows() if r["qtype"] != "OE"])
    )
    mapped = load_local(
        write_bundle(tmp_path / "b", _qbench_rows(), images=False), mapping="qbench-candidates"
    )
    assert mapped.items["answer"].tolist() == canonical.items["answer"].tolist()
    assert mapped.hash == canonical.hash


def test_option_fields_mapping_accepts_letter_and_index(tmp_path):
    rows = []
    for i, gold in enumerate(["B", 2, "No visible distortion"]):
        r = item(i, "SC")
        r.pop("options")
        r.pop("answer")
        r.update({f"option{k}": o for k, o in enumerate(OPTIONS)})
        r["correct_choice"] = gold
        rows.append(r)
    bench = load_local(write_bundle(tmp_path / "b", rows, images=False), mapping="qbench-options")
    assert bench.items["answer"].tolist() == ["B", "C", "D"]


def test_custom_mapping_file(tmp_path):
    rows = [dict(item(1), gold="B")]
    rows[0].pop("answer")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"rename": {"gold": "answer"}}))
    bench = load_local(write_bundle(tmp_path / "b", rows, images=False), mapping=str(mapping))
    assert bench.items["answer"].tolist() == ["B"]
    with pytest.raises(BenchmarkError, match="unknown column mapping"):
        load_local(tmp_path / "b", mapping="no-such-mapping")


def test_split_folder_layout(tmp_path):
    write_bundle(tmp_path / "b" / "test", good_rows())
    bench = load_local(tmp_path / "b")
    assert len(bench) == 6 and bench.root == tmp_path / "b" / "test"


def test_hub_repo_id_downloads_metadata_then_loads(tmp_path):
    src = write_bundle(tmp_path / "src", good_rows())
    calls = []

    def fake_download(**kwargs):
        calls.append(kwargs)
        dest = tmp_path / "cache"
        shutil.copytree(src, dest, dirs_exist_ok=True)
        return str(dest)

    bench = load_benchmark("qbench/Q-Bench-Portrait", download=fake_download, revision="v1")
    assert len(bench) == 6 and bench.repo_id == "qbench/Q-Bench-Portrait"
    assert calls[0]["repo_type"] == "dataset" and calls[0]["revision"] == "v1"
    assert "*.jsonl" in calls[0]["allow_patterns"]
    assert bench.source == "qbench/Q-Bench-Portrait"


def test_hub_failure_is_a_clear_error(tmp_path):
    def failing(**kwargs):
        raise ConnectionError("no route to host")

    with pytest.raises(BenchmarkError, match="could not download benchmark 'org/name'.*no route"):
        load_benchmark("org/name", download=failing)
    with pytest.raises(BenchmarkError, match="neither a local folder nor a Hub"):
        load_benchmark(str(tmp_path / "nope" / "x" / "y"))


def test_image_paths_never_escape_the_bundle(tmp_path):
    rows = good_rows()
    rows[0]["file_name"] = "../../etc/passwd"
    bench = load_local(write_bundle(tmp_path / "c", rows, images=False))
    assert bench.image_path("q001") is None
    write_bundle(tmp_path / "c", rows[1:2], images=True)
    assert bench.image_path("q002") == (tmp_path / "c" / rows[1]["file_name"]).resolve()


def test_parquet_shards_with_embedded_images(tmp_path):
    """A bundle pushed with `datasets` (Parquet shards, images inside) loads the same way."""
    import pandas as pd

    rows = good_rows()
    rows[4]["answer"] = "BD"  # a Parquet column holds one type
    jpeg = b"\xff\xd8\xff\xe0fake-jpeg-bytes\xff\xd9"
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "file_name"} for r in rows])
    frame["image"] = [{"bytes": jpeg + bytes([i]), "path": None} for i in range(len(rows))]
    (tmp_path / "hub" / "data").mkdir(parents=True)
    frame.iloc[:4].to_parquet(tmp_path / "hub" / "data" / "test-00000-of-00002.parquet")
    frame.iloc[4:].to_parquet(tmp_path / "hub" / "data" / "test-00001-of-00002.parquet")
    bench = load_local(tmp_path / "hub")
    assert len(bench) == 6 and bench.items["answer"].tolist()[:2] == ["B", "AC"]
    canonical = load_local(write_bundle(tmp_path / "canon", rows))
    assert bench.hash == canonical.hash
    assert bench.image_path("q006").read_bytes() == jpeg + bytes([5])
    assert bench.image_path("q002").read_bytes() == jpeg + bytes([1])


def test_invalid_parquet_row_is_named(tmp_path):
    import pandas as pd

    rows = good_rows()
    rows[4]["answer"] = "BD"
    rows[1]["qtype"] = "ZZ"
    (tmp_path / "hub").mkdir()
    pd.DataFrame(rows).to_parquet(tmp_path / "hub" / "train.parquet")
    with pytest.raises(BenchmarkError, match=r"parquet rows row 2 \(id 'q002'\): unknown qtype"):
        load_local(tmp_path / "hub")
