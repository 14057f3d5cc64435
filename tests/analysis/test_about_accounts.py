"""The About tab says how submitting identifies you and who owns a model name (issue 10)."""

from analysis.about import about_markdown


def test_about_explains_accounts_owned_names_and_the_token_for_the_api():
    text = about_markdown(
        2765, "data/demo", "approx (approximate)", "approx", ("qbp-00001", "qbp-00002", "qbp-00003")
    )
    for needle in (
        "Sign in with Hugging Face",
        "belongs to the account that first stored it",
        "look-alike letters",
        "paper's model names are reserved",
        'api_name="/withdraw"',
        "oauth_token=HF_TOKEN",
        "nothing is deleted",
    ):
        assert needle in text, needle
