"""Chart (a) with many models (sorted bars, the Random row marked), the size scatter and a
model's radar against the board: what is drawn, in which order, and what is said."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import charts
from analysis.entries import REPORTED, VERIFIED, Entry, baseline_entry, reported_entries
from leaderboard.benchmark import load_local
from leaderboard.settings import PAPER_DIR
from tests.conftest import DEMO


@pytest.fixture(scope="module")
def paper():
    return reported_entries(PAPER_DIR)


@pytest.fixture(scope="module")
def random_row():
    """The demo benchmark's analytic Random row (it has an Overall, the paper's has not)."""
    return baseline_entry(load_local(DEMO))


def overall(e: Entry) -> float:
    return e.value("table3", "Overall")  # type: ignore[return-value]


def test_beyond_the_radar_limit_chart_a_is_bars_best_first(paper, random_row):
    models = [e for e in paper if not e.is_baseline]
    assert len(models) > charts.RADAR_MAX and not charts.radar_fits(paper)
    assert charts.radar_fits(paper[: charts.RADAR_MAX + 1])  # the baseline is not counted
    fig, summary = charts.overall_bars([random_row] + paper)
    (bars,) = fig.data
    assert bars.type == "bar" and bars.orientation == "h" and bars.name == REPORTED
    want = sorted(models, key=lambda e: (-overall(e), e.name.casefold()))
    assert list(fig.layout.yaxis.categoryarray) == [e.name for e in want]
    assert fig.layout.yaxis.autorange == "reversed"  # the first category on top
    assert dict(zip(bars.y, bars.x, strict=True)) == {e.name: overall(e) for e in models}
    assert list(bars.text)[:1] == ["64.00"]
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == pytest.approx(overall(random_row))
    assert fig.layout.annotations[0].text == f"Random guess {overall(random_row):.2f}"
    assert summary.startswith("Best Overall: Qwen3-VL (32B) 64.00")


def test_bars_keep_the_row_kinds_apart_and_name_rows_without_overall(paper):
    mine = Entry("<b>Mine</b> (7B)", VERIFIED, paper[1].values, params_b=7.0)
    waiting = Entry("Half done", VERIFIED, {"table3": {"SC": 40.0}})
    fig, summary = charts.overall_bars(paper + [mine, waiting])
    by_kind = {t.name: t for t in fig.data}
    assert list(by_kind[VERIFIED].y) == ["&lt;b&gt;Mine&lt;/b&gt; (7B)"]
    assert by_kind[VERIFIED].marker.color != by_kind[REPORTED].marker.color
    assert "Half done" not in fig.layout.yaxis.categoryarray
    assert summary.endswith("No Overall yet: Half done.")
    assert fig.layout.height >= 24 * 26  # a bar's height per model, however many


def test_radar_labels_are_shortened_but_the_full_names_stay(paper):
    few = [e for e in paper if "InternVL" in e.name] + [
        Entry("LLaVA-OneVision-Extra-Long-Name (8B)", REPORTED, paper[1].values)
    ]
    fig, _ = charts.overall_radar(few)
    axis = fig.layout.polar.angularaxis
    assert list(fig.data[0].theta[:-1]) == [e.name for e in few]  # hover: the full name
    assert list(axis.tickvals) == [e.name for e in few]
    assert axis.ticktext[-1] == "LLaVA-OneVision-… (8B)"
    assert all(len(t) <= charts.RADAR_LABEL_CHARS for t in axis.ticktext)


@pytest.mark.parametrize(
    "name, short",
    [
        ("Qwen3-VL (32B)", "Qwen3-VL (32B)"),
        ("LLaVA-OneVision (8B)", "LLaVA-OneVi… (8B)"),  # the size survives the cut
        ("Random guess (simulated)", "Random guess (si…"),  # a long suffix does not
    ],
)
def test_short_label_keeps_a_size_suffix(name, short):
    assert charts.short_label(name, 17) == short


def test_size_scatter_places_models_by_size_and_lists_the_unknown(paper, random_row):
    mine = Entry("Mine & co", VERIFIED, paper[2].values, params_b=3.0, open=False)
    fig, note = charts.size_scatter([random_row] + paper + [mine])
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"reported · open", "verified · closed"}
    assert fig.layout.xaxis.type == "log"
    assert traces["reported · open"].marker.symbol == "circle"
    assert traces["verified · closed"].marker.symbol == "diamond"
    assert list(traces["verified · closed"].text) == ["Mine &amp; co"]
    rep = traces["reported · open"]
    by_name = {e.name: e for e in paper}
    for name, x, y in zip(rep.text, rep.x, rep.y, strict=True):
        assert (x, y) == (by_name[name].params_b, overall(by_name[name]))
    closed = [e.name for e in paper if not e.is_baseline and e.params_b is None]
    assert closed and note == (
        f"21 of 26 models placed by parameter count. Size unknown "
        f"(not plotted): {', '.join(closed)}."
    )
    assert fig.layout.shapes[0].y0 == pytest.approx(overall(random_row))
    assert list(fig.layout.xaxis.ticktext)[:2] == ["0.5B", "1B"]


def test_model_radar_sets_a_model_against_the_best_and_the_median_of_the_board(paper):
    model = next(e for e in paper if e.name == "GPT-5.2")
    fig, summary = charts.model_radar(model, paper)
    best, median, own = fig.data
    cells = charts.category_cells(charts.DEFAULT_GROUPS)
    rows = [e for e in paper if not e.is_baseline]
    for k, (table, cell) in enumerate(cells):
        vals = [e.value(table, cell.name) for e in rows if e.value(table, cell.name) is not None]
        assert best.r[k] == max(vals) and median.r[k] == pytest.approx(np.median(vals))
        assert own.r[k] == model.value(table, cell.name)
    holder = next(e.name for e in rows if e.value("table3", "NI") == best.r[0])
    assert holder in best.customdata[0]
    assert best.name == f"best of {len(rows)} rows" and own.name == "GPT-5.2 (reported)"
    assert summary.startswith("At or above the median in ")
