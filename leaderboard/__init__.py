"""Q-Bench-Portrait scoring core: loading, parsing, extraction, judging, tables, statistics.

Nothing in this package imports Gradio; the app, the CLI and the tests all stand on it.
"""

SCORER_VERSION = "1.0.0"
