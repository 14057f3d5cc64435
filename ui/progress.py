"""Where an event shows its progress, chosen so that every later event stays cheap.

Gradio 6's page remembers each component that has ever shown an event's progress (an
event's outputs, unless `show_progress_on` names others) and, at every status change of
every later event (pending, started, done: two to four per event), re-reads the whole value
of each one it remembers; for a layout (gr.Tabs, a Column) it re-reads every component
inside it as well. The page-load events that select a tab (`gr.Tabs(selected=...)`) thus
made each later click copy the values of the whole page several times over: the
Drill-down's 2,765-row list, the board, the charts. Measured in chromium on a loaded
machine: a drill-down row click 566 ms with them, 132 ms without (bench/browser.py).

So an event's progress never shows on a layout: `off_layouts` narrows each event that
updates one (to select a tab) to its other outputs. Tabs also keep their large components
(grids with thousands of rows) out of `show_progress_on` (see ui/tabs/drilldown.py).
"""

from __future__ import annotations

import gradio as gr
from gradio.blocks import BlockContext


def off_layouts(demo: gr.Blocks) -> int:
    """Inside `with demo:` (Gradio writes the page's config on leaving it): every event
    whose outputs hold a layout and that did not choose where its progress shows, shows it
    on its other outputs only. Returns how many events were narrowed."""
    narrowed = 0
    for fn in demo.fns.values():
        if fn.show_progress_on is not None:
            continue
        if any(isinstance(block, BlockContext) for block in fn.outputs):
            fn.show_progress_on = [b for b in fn.outputs if not isinstance(b, BlockContext)]
            narrowed += 1
    return narrowed
