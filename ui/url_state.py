"""The page's query string, one owner in the browser (issue 13, "links to everything").

Every tab with a link hands it to one small script, `url_state.js` (``window.qbpURL``): the
board its own state (`analysis.links.board_link`, written in the browser), the drill-down,
the model page and the row details the absolute link the server wrote for the view shown
(`SHARE_URL_JS`, the `.change` handler of their link boxes). The script keeps each tab's last
link and puts the shown tab's into the address bar (`history.replaceState`), so switching
tabs never leaves a mixed query (board parameters on a drill-down link, or the reverse), and
the URL is always the link of what is on screen: reloading it shows the same thing (the
server's page-load steps open `?item=`, `?model=` and `?row=`; the board reads its own
parameters). A tab without a link of its own shows the bare page.

The script installs itself once per page, from whichever runs first: the board's script
(`ui.board_table` prepends `HELPER_JS`) or a link box's change event.
"""

from __future__ import annotations

from pathlib import Path

#: Defines ``window.qbpURL`` unless it exists: ``set(tab, query)``, ``go(tab, query)``,
#: ``show(link)``, and the encoder ``enc`` / ``query`` matching `analysis.links`.
HELPER_JS = (Path(__file__).resolve().parent / "url_state.js").read_text(encoding="utf-8")

#: The `.change` handler of a tab's link box: the link the server wrote for the view it just
#: showed becomes that tab's link (and the address bar's, while the tab is shown).
SHARE_URL_JS = "(link) => {\n" + HELPER_JS + "\n  window.qbpURL.show(link);\n  return [];\n}"
