"""Browser bench of the leaderboard (issue 13): what a visitor waits for, in headless chromium.

Launches `python app.py` from --repo (default: this checkout; pass an older checkout to
measure "before") over a store of --submissions stored submissions (generated once with
bench/app.py's `build_store`, reused from --store), then drives Debian's chromium with
Playwright and prints medians over --runs runs (>= 5) of:

  rows visible     navigation (fresh browser context, nothing cached) -> > 5 board rows
  header sort      click on the MC header -> caption says "sorted by MC (...)", rows in order
  table switch     Table 3 <-> Table 4 -> the other table's headers and rows shown
  intervals        "Show 95% intervals" ticked -> "±" in the cells (first run is cold)
  row -> item      Drill-down list row clicked -> that item's card and image shown
  share link       navigation to ?item=ID&models=A,B -> that item's card and image shown

then the /leaderboard API under 20 concurrent gradio_client clients (requests/s, median).

Timings of clicks are taken in the page (performance.now() from the click to the first
animation frame where the condition holds), so Playwright's own latency is not counted.
Works against the old grid (#leaderboard) and the new board (#board).

    python bench/browser.py [--submissions 100] [--runs 5] [--repo PATH] [--store DIR]
                            [--only "row -> item,share link"]

--only measures some of the figures (names as printed, comma-separated), to compare two
checkouts back to back in the same conditions; the API load runs only without it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
TARGETS = {  # ms: (100 submissions, 1,000 submissions); None = no target at that size
    "rows visible": (1500, 3000),
    "header sort": (150, None),
    "table switch": (300, 600),
    "intervals": (500, 2000),
    "row -> item": (500, None),
    "share link": (2000, None),
}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: The drill-down shows `item`: its card, and its image once loaded (an item without an
#: image has no <img>; card and image arrive in the same response, so an <img> still
#: loading is this item's).
ITEM_SHOWN = (
    "(document.querySelector('#dd-detail .qbp-item')||{{}}).innerText?.includes('Item {item}')"
    " && (() => {{ const i = document.querySelector('#dd-image img');"
    " return !i || (i.complete && i.naturalWidth > 0); }})()"
)

# In-page timing: run `action`, then resolve at the first animation frame where `cond` holds.
MEASURE = """async ([action, cond, timeout]) => {
  const act = new Function(action), ok = new Function('return (' + cond + ')');
  const t0 = performance.now();
  act();
  return await new Promise((resolve, reject) => {
    const tick = () => {
      let hit = false;
      try { hit = ok(); } catch (e) { hit = false; }
      if (hit) resolve(performance.now() - t0);
      else if (performance.now() - t0 > timeout) reject(new Error('timeout: ' + cond));
      else requestAnimationFrame(tick);
    };
    tick();
  });
}"""


class UI:
    """Selectors and actions of one board implementation, as JS expressions."""

    def __init__(self, new: bool) -> None:
        self.new = new
        if new:
            self.rows = "document.querySelectorAll('#board tbody tr.qbp-row').length"
            self.heads = "[...document.querySelectorAll('#board thead th')]"
            self.caption = "(document.querySelector('#board .qbp-caption')||{}).textContent||''"
            self.cells = "[...document.querySelectorAll('#board tbody td.qbp-num')]"
        else:
            self.rows = "document.querySelectorAll('#leaderboard .virtual-row').length"
            self.heads = "[...document.querySelectorAll('#leaderboard th')]"
            self.caption = (
                "[...document.querySelectorAll('.prose')].map(e => e.textContent)"
                ".find(t => t.includes('sorted by')) || ''"
            )
            self.cells = "[...document.querySelectorAll('#leaderboard [role=gridcell]')]"

    def click_header(self, label: str) -> str:
        if self.new:
            return f"document.querySelector(\"#board th[data-key='{label}']\").click()"
        return (
            f"{self.heads}.find(th => (th.getAttribute('title') || th.innerText).trim() "
            f".startsWith('{label}')).click()"
        )

    def click_table(self, title: str, key: str) -> str:
        if self.new:
            return f"document.querySelector(\"#board [data-table='{key}']\").click()"
        return (
            f"[...document.querySelectorAll('#table-select label')].find(l => "
            f"l.textContent.includes('{title}')).click()"
        )

    def has_header(self, text: str) -> str:
        return (
            f"{self.heads}.some(th => th.textContent.trim().startsWith('{text}')) "
            f"&& {self.rows} > 5"
        )

    def toggle_ci(self) -> str:
        sel = "#show-ci" if self.new else "#show-ci input"
        return f"document.querySelector('{sel}').click()"

    def ci_shown(self) -> str:
        return f"{self.cells}.some(td => td.textContent.includes('±'))"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_store(store: Path, n: int, bench: Path) -> None:
    existing = (
        [p for p in store.glob("*") if p.is_dir() and not p.name.startswith(".")]
        if store.exists()
        else []
    )
    if len(existing) >= n:
        return
    if existing:
        raise SystemExit(
            f"{store} holds {len(existing)} submissions, fewer than {n}: use an empty folder"
        )
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("bench_app", REPO / "bench" / "app.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    secs = mod.build_store(store, bench, n)
    print(f"store: {n} submissions generated in {secs:.0f} s -> {store}")


@contextlib.contextmanager
def launched(repo: Path, store: Path, bench: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QBP_", "GRADIO_"))}
    env.update(
        {
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(port),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "QBP_SUBMISSIONS_DIR": str(store),
            "QBP_BENCHMARK": str(bench),
            "QBP_SEED_DEMO": "0",
            "QBP_JUDGE": "approx",
            "QBP_SUBMITS_PER_HOUR": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    log = Path(tempfile.mkstemp(prefix="qbp-bench-app-", suffix=".log")[1])
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(repo / "app.py")],
            cwd=repo,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        t0 = time.monotonic()
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"app.py exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "config", timeout=2).status_code == 200:
                    break
            if time.monotonic() - t0 > 300:
                raise SystemExit("app.py did not serve within 300 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def measure(page, action: str, cond: str, timeout_ms: float = 120_000) -> float:
    return float(page.evaluate(MEASURE, [action, cond, timeout_ms]))


def wait(page, cond: str, timeout_ms: float = 120_000) -> None:
    page.wait_for_function(f"() => ({cond})", polling="raf", timeout=timeout_ms)


def run(url: str, runs: int, state_models: list[str], item_ids: list[str], only: set[str]) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {k: [] for k in TARGETS if k in only}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=BROWSER_ARGS)

        def fresh():
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.set_default_timeout(120_000)
            return ctx, page

        ui = None
        for _ in range(runs if "rows visible" in out else 1):  # after navigation, no cache
            ctx, page = fresh()
            t0 = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.wait_for_function(
                "() => document.querySelectorAll('#board tbody tr.qbp-row').length > 5 || "
                "document.querySelectorAll('#leaderboard .virtual-row').length > 5",
                polling="raf",
                timeout=120_000,
            )
            if "rows visible" in out:
                out["rows visible"].append(1000 * (time.perf_counter() - t0))
            if ui is None:
                ui = UI(page.evaluate("() => !!document.querySelector('#board .qbp-board')"))
            ctx.close()
        assert ui is not None

        ctx, page = fresh()
        page.goto(url)
        wait(page, f"{ui.rows} > 5")
        time.sleep(1.0)  # let the page's own start-up requests settle
        for k in range(runs if "header sort" in out else 0):
            word = "descending" if k % 2 == 0 else "ascending"
            out["header sort"].append(
                measure(
                    page, ui.click_header("MC"), f"({ui.caption}).includes('sorted by MC ({word})')"
                )
            )
        for k in range(runs if "table switch" in out else 0):
            title, key, head = (
                ("Table 4", "table4", "Noise") if k % 2 == 0 else ("Table 3", "table3", "NIs")
            )
            out["table switch"].append(
                measure(page, ui.click_table(title, key), ui.has_header(head))
            )
        if "intervals" in out:  # intervals from a fresh page: the first toggle is cold
            page.goto(url)
            wait(page, f"{ui.rows} > 5")
            time.sleep(1.0)
        for _ in range(runs if "intervals" in out else 0):
            out["intervals"].append(measure(page, ui.toggle_ci(), ui.ci_shown()))
            page.evaluate(f"() => {{ {ui.toggle_ci()}; }}")
            wait(page, f"!({ui.ci_shown()})")
        ctx.close()

        # Row -> item: the Drill-down tab's list (not the board's code; measured for the issue)
        ctx, page = fresh()
        page.goto(url)
        wait(page, f"{ui.rows} > 5")
        page.get_by_role("tab", name="Drill-down").click()
        wait(page, "document.querySelectorAll('#dd-list .virtual-row').length > 5")
        ids = page.locator("#dd-list .virtual-row [data-col='1']").all_inner_texts()
        for k in range(runs if "row -> item" in out else 0):
            target = ids[k + 2]
            shown = ITEM_SHOWN.format(item=target)
            page.evaluate(
                "() => { window.__qbpT0 = null; document.addEventListener("
                "'pointerdown', () => { window.__qbpT0 = performance.now(); }, "
                "{capture: true, once: true}); }"
            )
            page.locator("#dd-list .virtual-row [data-col='1']").nth(k + 2).click()
            wait(page, shown)
            out["row -> item"].append(
                float(page.evaluate("() => performance.now() - window.__qbpT0"))
            )
        ctx.close()

        models = ",".join(state_models[:2])
        for k in range(runs if "share link" in out else 0):
            ctx, page = fresh()
            item = item_ids[10 + k]
            t0 = time.perf_counter()
            page.goto(f"{url}?item={item}&models={models}", wait_until="commit")
            wait(page, ITEM_SHOWN.format(item=item))
            out["share link"].append(1000 * (time.perf_counter() - t0))
            ctx.close()
        browser.close()
    return {"ui": "new board (#board)" if ui.new else "old grid (#leaderboard)", **out}


def api_load(url: str, clients: int = 20, each: int = 5) -> tuple[float, float]:
    """`/leaderboard` under `clients` concurrent gradio_client clients, `each` calls apiece
    (tables 3-6 in turn): (requests per second, median latency in ms)."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    pool = [Client(url, verbose=False) for _ in range(clients)]
    tables = ["table3", "table4", "table5", "table6"]

    def one(c: int) -> list[float]:
        times = []
        for k in range(each):
            t0 = time.perf_counter()
            pool[c].predict(table=tables[(c + k) % 4], api_name="/leaderboard")
            times.append(1000 * (time.perf_counter() - t0))
        return times

    pool[0].predict(api_name="/leaderboard")  # warm
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        lat = [t for times in ex.map(one, range(clients)) for t in times]
    return clients * each / (time.perf_counter() - t0), statistics.median(lat)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--submissions", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--repo", default=str(REPO), help="the checkout whose app.py is run")
    ap.add_argument("--store", default=None, help="reuse or fill this folder")
    ap.add_argument("--benchmark", default=str(REPO / "data" / "demo"))
    ap.add_argument("--only", default="", help="figures to measure, comma-separated")
    args = ap.parse_args()
    runs = max(5, args.runs)
    only = {n.strip() for n in args.only.split(",") if n.strip()} or set(TARGETS)
    if only - set(TARGETS):
        ap.error(f"--only: unknown {sorted(only - set(TARGETS))}; one of {list(TARGETS)}")
    store = Path(args.store or Path(tempfile.gettempdir()) / f"qbp-bench-{args.submissions}")
    ensure_store(store, args.submissions, Path(args.benchmark))

    lines = (Path(args.benchmark) / "metadata.jsonl").read_text("utf-8").splitlines()
    ids = [json.loads(x)["id"] for x in lines if x.strip()]
    names = sorted(
        str(p.name) for p in store.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    models = [json.loads((store / n / "meta.json").read_text())["model"] for n in names[:2]]
    with launched(Path(args.repo).resolve(), store, Path(args.benchmark).resolve()) as url:
        res = run(url, runs, models, ids, only)
        api = api_load(url) if only == set(TARGETS) else None
    big = args.submissions >= 1000
    print(
        f"{res['ui']} from {args.repo}: {args.submissions} stored submissions, "
        f"{len(ids)} items; medians over {runs} runs (chromium {shutil.which('chromium')})"
    )
    for name, target in TARGETS.items():
        if name not in only:
            continue
        values = res[name]
        med = statistics.median(values)
        goal = target[1] if big else target[0]
        verdict = (
            ""
            if goal is None
            else (f"target <= {goal} ms: " + ("met" if med <= goal else "MISSED"))
        )
        extra = f" (first {values[0]:.0f} ms)" if name in ("intervals", "table switch") else ""
        print(f"  {name:<13} {med:8.0f} ms{extra:<22} {verdict}")
    if api is not None:
        print(f"  /leaderboard, 20 clients x 5 calls: {api[0]:.1f} req/s, median {api[1]:.0f} ms")


if __name__ == "__main__":
    main()
