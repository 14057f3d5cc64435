"""Share link -> item: how long a drill-down link takes to show its item, and in how many
round trips.

Opens a link to one item with two models and two filters in a fresh browser context, --runs
times (>= 5), and prints the median time from navigation to the item card showing the item
(its image loaded) with both models' answers and the list counted over the link's filters,
plus the number of event requests the page made until then (queue joins, `/queue/join`, and
direct calls of unqueued events, `/run/`), and how long the page took to send its first one
(Gradio's own start-up in the browser). Target: <= 2 s (issue 13).
Launches the app in-process on the demo bundle (seeded temp store, approximate judge)
unless --url names a running one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def launch(port: int) -> tuple[str, object]:
    """The app on the demo bundle with a fresh store, as tests/conftest.py launches it."""
    import app as space
    from leaderboard.settings import AppSettings
    from ui.state import AppState

    subs = tempfile.mkdtemp(prefix="qbp-bench-links-")
    state = AppState.start(
        AppSettings(benchmark=str(REPO / "data" / "demo"), submissions_dir=subs, judge="approx")
    )
    demo = space.build(state)
    demo.queue(default_concurrency_limit=4).launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **space.launch_kwargs(state),
    )
    return f"http://127.0.0.1:{port}/", state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", default=None, help="a running app (default: launch one)")
    parser.add_argument("--port", type=int, default=7931)
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5 (medians of fewer runs are noise)")

    from analysis import drilldown
    from analysis.drilldown import ItemFilters
    from analysis.links import item_link
    from leaderboard.benchmark import load_benchmark

    if args.url:
        url = args.url.rstrip("/") + "/"
        from gradio_client import Client

        rows = Client(url, verbose=False).predict(
            table="table3", kinds=["verified"], api_name="/leaderboard"
        )
        models = [r["model"] for r in rows if r["model"] != "Random guess"][:2]
        bench = load_benchmark(REPO / "data" / "demo")
        state = None
    else:
        url, state = launch(args.port)
        models = state.verified_models()[:2]  # type: ignore[attr-defined]
        bench = state.bench  # type: ignore[attr-defined]
    filters = ItemFilters(dimension="Tech", scope="global")
    mask = drilldown.filter_mask(bench, {}, filters)
    item_id = str(bench.items["id"].iloc[int(mask.nonzero()[0][3])])
    link = url + item_link(item_id, models, filters)
    print(f"link: {link}")

    from playwright.sync_api import sync_playwright

    times, joins, firsts = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for _ in range(args.runs):
            ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
            page = ctx.new_page()
            page.set_default_timeout(120_000)
            seen: list[float] = []

            def joined(request, seen: list[float] = seen) -> None:
                if "/queue/join" in request.url or "/gradio_api/run/" in request.url:
                    seen.append(time.perf_counter())

            page.on("request", joined)
            t0 = time.perf_counter()
            page.goto(link)
            page.wait_for_function(
                """([id, models]) => {
                  const d = document.querySelector('#dd-detail .qbp-item');
                  const c = document.querySelector('#dd-count');
                  const i = document.querySelector('#dd-image img');
                  return d && d.innerText.includes('Item ' + id)
                    && models.every(m => d.innerText.includes(m))
                    && c && /\\d+ of \\d+/.test(c.innerText)
                    && (!i || (i.complete && i.naturalWidth > 0));
                }""",
                arg=[item_id, models],
            )
            t1 = time.perf_counter()
            times.append(t1 - t0)
            joins.append(sum(1 for t in seen if t <= t1))
            firsts.append((seen[0] if seen else t1) - t0)
            ctx.close()
        browser.close()
    print(
        f"share link -> item visible: median {statistics.median(times):.2f} s over {args.runs} "
        f"runs (min {min(times):.2f}, max {max(times):.2f}); event requests until then: median "
        f"{statistics.median(joins):g}; navigation -> first event request (the page's own "
        f"start-up): median {statistics.median(firsts):.2f} s (target <= 2 s)"
    )
    os._exit(0)  # the in-process server's threads


if __name__ == "__main__":
    main()
