"""Where an event shows its progress, chosen so that every later event stays cheap.

Gradio 6's page remembers each component that has ever shown an event's progress (an
event's outputs, unless `show_progress_on` names others) and, at every status change of
every later event (pending, started, done: two to four per event), re-reads the whole value
of each one it remembers; for a layout (gr.Tabs, a Column) it re-reads every component
inside it as well. The page-load events that select a tab (`gr.Tabs(selected=...)`) thus
made each later click copy the values of the whole page several times over, and a grid of
thousands of rows costs each later event tens of milliseconds per status change. Measured
in chromium on a loaded machine (bench/browser.py, 100 stored submissions): a drill-down
row click took 560 ms, 130 ms once no layout or grid showed progress (and the click was one
unqueued request: ui/tabs/drilldown.py).

So `narrow` keeps events' progress off layouts always, and off grids wherever the event has
another output to show it on. A tab chooses better targets itself where it can (the
drill-down shows progress on its item card and count line: ui/tabs/drilldown.py).
"""

from __future__ import annotations

import gradio as gr
from gradio.blocks import Block, BlockContext
from gradio.components import Component


def is_layout(block: Block) -> bool:
    """A layout (Tabs, Tab, Row, Column, Accordion, ...): a block holding others that is no
    component itself (gr.HTML, which may hold children, is a component)."""
    return isinstance(block, BlockContext) and not isinstance(block, Component)


def narrow(demo: gr.Blocks) -> int:
    """Inside `with demo:` (Gradio writes the page's config on leaving it): each event that
    did not choose where its progress shows, and whose outputs hold a layout or a grid
    beside other outputs, shows it on those other outputs (on nothing if it updates only
    layouts). Returns how many events were narrowed."""
    narrowed = 0
    for fn in demo.fns.values():
        if fn.show_progress_on is not None:
            continue
        outputs = list(fn.outputs)
        parts = [b for b in outputs if not is_layout(b)]
        light = [b for b in parts if not isinstance(b, gr.Dataframe)] or parts
        if len(light) < len(outputs):
            fn.show_progress_on = light
            narrowed += 1
    return narrowed
