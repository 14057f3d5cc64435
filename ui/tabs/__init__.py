"""One module per tab of the Space: `build(state, ...)` lays the tab out inside the page's
`gr.Tabs`, wires its own events and returns the components other tabs need.

Tabs are built in page order and only ever refer to tabs built before them (the Compare
tab opens items in the Drill-down tab, the Submit tab refreshes the board), so each
module's events read top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Keyword arguments of every UI event: UI events stay off the public API (ui/api.py).
PRIVATE: dict[str, Any] = {"api_visibility": "private"}

#: Keyword arguments of an event that redraws a view from its widgets' values (it reads no
#: event data): a change made while the last one is answered is sent once that answer is
#: in, with the widgets' values as they are then. Gradio's default for `.input` ("once")
#: drops that change, so the view would not match its widgets.
VIEW: dict[str, Any] = {"trigger_mode": "always_last", **PRIVATE}

#: Keyword arguments of a clicked row that opens the Drill-down tab on its item (through
#: `DrillHandlers.open_view`, which puts a page's views in order: `ui.latest`): every
#: click is sent at once with its own row. Gradio's default for `.select` ("once") drops
#: a row clicked while the last one is opening; "always_last" re-sends the first row.
OPEN: dict[str, Any] = {"trigger_mode": "multiple", **PRIVATE}

#: Appends steps to an event chain and returns the chain's last step (a Gradio
#: Dependency); tabs hand these to each other, e.g. "after a submit, re-render the board".
Step = Callable[[Any], Any]
