"""The About tab states the scoring rules, formats, CLI, API and citation."""

from analysis.about import PAPER_TITLE, about_markdown


def test_about_has_rules_formats_cli_api_and_citation():
    text = about_markdown(
        2765, "data/demo", "approx (approximate)", "approx", ("qbp-00001", "qbp-00002", "qbp-00003")
    )
    for needle in (
        "set* of chosen options equals the gold set exactly",
        "divided by 2",
        "Overall is the mean over all items",
        "never guessed at random",
        "(0.25·n_SC + 0.5·n_TF) / (n_SC + n_TF)",
        "approx. OE judge",
        "python -m leaderboard score --predictions",
        "--judge approx",
        'api_name="/submit"',
        'api_name="/leaderboard"',
        'api_name="/item"',
        PAPER_TITLE,
        "Sijing Wu",
        '{"id": "qbp-00001", "prediction"',
    ):
        assert needle in text, needle
