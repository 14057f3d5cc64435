"""Figure 4 radars: what is plotted, hover values, theme-neutral colours, summaries."""

from __future__ import annotations

import pytest

from analysis import charts
from analysis.entries import BASELINE_NAME, VERIFIED, Entry, reported_entries
from leaderboard.settings import PAPER_DIR
from leaderboard.taxonomy import LABELS, TABLES


@pytest.fixture(scope="module")
def paper():
    return reported_entries(PAPER_DIR)


def test_overall_radar_plots_every_model_with_exact_hover(paper):
    fig, summary = charts.overall_radar(paper)
    trace = fig.data[0]
    models = [e for e in paper if not e.is_baseline]
    assert list(trace.theta[:-1]) == [e.name for e in models]  # closed polygon
    assert list(trace.r[:-1]) == [e.value("table3", "Overall") for e in models]
    assert "%{r:.2f}" in trace.hovertemplate
    assert any(BASELINE_NAME in t.name for t in fig.data[1:])  # dashed reference
    assert summary.startswith("Best Overall: Qwen3-VL (32B) 64.00")
    assert "DeepSeek-VL (7B) 33.54" in summary


def test_figures_are_transparent_and_theme_neutral(paper):
    for fig in (charts.overall_radar(paper)[0], charts.category_radar(paper, ["Grok-4"])[0]):
        assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
        assert fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
        assert fig.layout.polar.bgcolor == "rgba(0,0,0,0)"
        assert fig.layout.font.color == charts.TEXT


def test_category_radar_uses_taxonomy_labels_and_values(paper):
    chosen = ["Qwen3-VL (32B)", "GPT-5.2"]
    fig, summary = charts.category_radar(paper, chosen)
    cells = [c for g, cs in TABLES["table3"].groups if g != "Overall" for c in cs]
    assert [t.name for t in fig.data] == chosen
    assert list(fig.data[0].theta[:-1]) == [c.label for c in cells]
    by = {e.name: e for e in paper}
    assert list(fig.data[1].r[:-1]) == [by["GPT-5.2"].value("table3", c.name) for c in cells]
    assert summary.startswith("Widest spread: ")
    assert f"hardest category on average: {LABELS['AGI']} 50.7" in summary  # (55.05+46.46)/2


def test_category_groups_can_be_chosen(paper):
    fig, _ = charts.category_radar(paper, ["Grok-4"], ["table4:Aesthetics"])
    assert list(fig.data[0].theta[:-1]) == ["Emotion", "Composition", "Lighting", "Style"]
    _, message = charts.category_radar(paper, ["Grok-4"], [])
    assert message == "Choose at least one category group."
    _, message = charts.category_radar(paper, [], charts.DEFAULT_GROUPS)
    assert message == "Choose at least one model."


def test_representative_models_span_the_ranking(paper):
    picks = charts.representative(paper)
    assert len(picks) == 5 and len(set(picks)) == 5
    assert picks[0] == "Qwen3-VL (32B)" and picks[-1] == "DeepSeek-VL (7B)"
    assert charts.representative(paper[:3]) == ["InternVL3.5 (2B)", "InternVL3.5 (1B)"]


def test_model_names_reach_plotly_as_text(paper):
    values = paper[1].values
    evil = Entry("<b>bold</b><a href='javascript:x'>", VERIFIED, values)
    fig, _ = charts.overall_radar([evil])
    assert fig.data[0].theta[0] == "&lt;b&gt;bold&lt;/b&gt;&lt;a href='javascript:x'&gt;"
    fig, _ = charts.category_radar([evil], [evil.name])
    assert "<b>" not in fig.data[0].name and "<b>" not in fig.data[0].hovertemplate


def test_same_name_in_both_kinds_is_told_apart(paper):
    twin = Entry("Grok-4", VERIFIED, paper[1].values)
    names = charts.display_names([e for e in paper if e.name == "Grok-4"] + [twin])
    assert names == ["Grok-4", "Grok-4 [verified]"]
