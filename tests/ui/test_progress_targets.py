"""Where the page shows events' progress (ui/progress.py): never on a layout, never on the
drill-down's list. The page re-reads every component that ever showed progress at each
status change of every later event, so one such target made each later click slow; and the
drill-down's item events are one unqueued request each."""

from __future__ import annotations

import gradio as gr
import pytest

import app as space
from tests.support.appstate import tiny_state
from ui import progress

#: Gradio's layout blocks as the page's config names them.
LAYOUT_TYPES = {"tabs", "tabitem", "row", "column", "group", "accordion", "form", "sidebar"}


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> dict:
    return space.build(tiny_state(tmp_path_factory.mktemp("progress"))).config


def targets(dep: dict) -> list[int]:
    """The components an event shows progress on, as the page reads the config."""
    chosen = dep.get("show_progress_on")
    return dep["outputs"] if chosen is None else chosen


def by_elem(config: dict) -> dict[str, int]:
    return {
        c["props"]["elem_id"]: c["id"] for c in config["components"] if c["props"].get("elem_id")
    }


def test_no_event_shows_progress_on_a_layout(config):
    layouts = {c["id"] for c in config["components"] if c["type"] in LAYOUT_TYPES}
    tabs = [c["id"] for c in config["components"] if c["type"] == "tabs"]
    assert tabs, "the page has its tabs"
    selecting = [d for d in config["dependencies"] if set(tabs) & set(d["outputs"])]
    assert len(selecting) >= 3  # links, other tabs' "open in the drill-down", ...
    for dep in config["dependencies"]:
        assert not layouts & set(targets(dep)), (dep["api_name"], targets(dep))
    # Narrowed, not silenced: an event selecting a tab still shows progress on the rest.
    assert all(targets(d) for d in selecting if len(d["outputs"]) > 1)


def test_the_drill_down_list_never_shows_progress_and_items_are_one_request(config):
    ids = by_elem(config)
    deps = config["dependencies"]
    assert any(ids["dd-list"] in d["outputs"] for d in deps)
    assert not any(ids["dd-list"] in targets(d) for d in deps)
    card = ids["dd-detail"]
    item_events = [d for d in deps if d["outputs"][:2] == [ids["dd-image"], card]]
    triggers = {t[1] for d in item_events for t in d["targets"]}
    assert {"select", "click", "submit"} <= triggers  # a row, Previous / Next, the id box
    for dep in item_events:
        assert dep["queue"] is False and targets(dep) == [card], dep["api_name"]
        # every click sent at once with its own data; the server orders them (ui.latest)
        assert dep["trigger_mode"] == "multiple"


def test_narrow_keeps_progress_off_layouts_and_grids_beside_other_outputs():
    with gr.Blocks() as demo:
        with gr.Tabs() as tabs:
            with gr.Tab("a", id="a"):
                box = gr.Textbox()
                other = gr.Textbox()
                grid = gr.DataFrame()
                card = gr.HTML()  # a component, though it may hold children
        button = gr.Button()
        button.click(lambda: ("x", gr.Tabs(selected="a")), None, [box, tabs])
        button.click(lambda: ("x", None), None, [box, grid])
        button.click(lambda: None, None, grid)  # nothing else to show it on: kept
        button.click(lambda: gr.Tabs(selected="a"), None, tabs)
        button.click(lambda: ("x", gr.Tabs()), None, [box, tabs], show_progress_on=[other])
        button.click(lambda: ("y", "<b>y</b>"), None, [box, card])
        assert progress.narrow(demo) == 3
    shown = [demo.fns[i].show_progress_on for i in sorted(demo.fns)]
    assert shown == [[box], [box], None, [], [other], None]
