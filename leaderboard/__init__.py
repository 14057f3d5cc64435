"""Q-Bench-Portrait scoring core: loading, parsing, extraction, judging, tables, statistics.

Nothing in this package imports Gradio; the app, the CLI and the tests all stand on it.
"""

# Bumped whenever stored results would change: stored submissions from another version are
# re-scored from their raw upload. 1.1.0: extraction reads option texts after cues, text +
# letter pairs, "So, no, ...", loose option matches, and ignores made-up follow-up turns.
SCORER_VERSION = "1.1.0"
