"""How the Space looks: theme and CSS; the board's own script and CSS live with it in
`ui/board_table.*`, the query string's owner in `ui/url_state.*`.

Fonts are system fonts only: the page must work offline.
"""

from __future__ import annotations

import gradio as gr

# The link boxes' handler belongs to the query string's one owner; re-exported for the tabs
# that import it from here.
from .url_state import SHARE_URL_JS  # noqa: F401

CSS = """
#leaderboard [role=gridcell], #leaderboard th, #dd-list [role=gridcell], #dd-list th,
:is(#cmp-cells, #cmp-items, #it-difficulty-table, #it-failures, #it-analysis)
  :is([role=gridcell], th) {
  font-family: var(--font); font-size: 0.86rem; font-variant-numeric: tabular-nums; }
#ci-notes { margin-bottom: 6px; }
.qbp-notes, .qbp-colinfo { font-size: 0.85em; opacity: 0.9; }
.qbp-n { opacity: 0.65; font-size: 0.9em; }
.qbp-item pre.qbp-raw, .qbp-error pre { white-space: pre-wrap; word-break: break-word;
  background: var(--background-fill-secondary); padding: 6px 8px; border-radius: 6px;
  margin: 4px 0 0 0; font-size: 0.9em; }
.qbp-question { font-size: 1.1em; font-weight: 600; margin: 6px 0; }
.qbp-meta { opacity: 0.75; font-size: 0.85em; }
.qbp-options { list-style: none; padding-left: 0.4em; }
.qbp-options li.gold { font-weight: 600; }
.qbp-gold { color: #16a34a; font-size: 0.85em; margin-left: 6px; }
.qbp-model { border-top: 1px solid var(--border-color-primary); padding: 8px 0; }
.qbp-status, .qbp-score { padding: 1px 6px; border-radius: 8px; font-size: 0.8em;
  border: 1px solid currentColor; }
.qbp-status.ok, .qbp-score.ok { color: #16a34a; }
.qbp-status.bad, .qbp-score.bad { color: #dc2626; }
.qbp-status.warn, .qbp-score.warn, .qbp-score.part { color: #d97706; }
.qbp-error { color: #dc2626; }
/* Radar labels, legend and titles: more contrast than plotly's one grey gives on either
   theme; hover labels keep plotly's own contrasting colours. */
.js-plotly-plot .main-svg :is(.polarlayer, .legend, .infolayer) text {
  fill: #374151 !important; }
.dark .js-plotly-plot .main-svg :is(.polarlayer, .legend, .infolayer) text {
  fill: #d1d5db !important; }
/* The Model tab's tables: the paper's grouped headers, scrolling sideways on a phone. */
.qbp-mtable { margin: 6px 0 14px 0; }
.qbp-mtitle { font-weight: 600; margin-bottom: 4px; }
.qbp-scroll { overflow-x: auto; }
.qbp-mtable table { border-collapse: collapse; font-size: 0.86rem;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.qbp-mtable th, .qbp-mtable td { padding: 3px 8px; text-align: right;
  border-bottom: 1px solid var(--border-color-primary); }
.qbp-mtable th[scope=row] { text-align: left; font-weight: 600; }
.qbp-mtable th[scope=row], .qbp-mtable thead th:first-child { position: sticky; left: 0;
  background: var(--background-fill-primary); }
.qbp-mtable thead th { text-align: center; }
.qbp-mtable tr.qbp-ref { opacity: 0.75; }
.qbp-model-name { margin: 4px 0; }
dl.qbp-prov { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px;
  font-size: 0.9em; }
dl.qbp-prov dt { font-weight: 600; }
dl.qbp-prov dd { margin: 0; word-break: break-all; }
/* Chart (a): a radar for a few models, except on a phone, where its labels have no room and
   the bar chart (otherwise hidden while the radar shows) takes its place. */
@media (min-width: 641px) { .qbp-phone-only { display: none !important; } }
@media (max-width: 640px) { #radar-a { display: none !important; } }
"""


def theme() -> gr.themes.Base:
    """System fonts only: the page must not need the network."""
    fonts = ["ui-sans-serif", "system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
    return gr.themes.Soft(font=fonts, font_mono=mono)
