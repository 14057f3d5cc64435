"""Bench: /leaderboard latency while 4 clients push hostile uploads at a launched app.

`python app.py` runs on loopback (the seeded demo, approximate judge). One gradio_client
caller times /leaderboard (Table 3, every row) back to back: first with the app idle, then
for --seconds while 4 attacker threads each loop over the issue's hostile uploads (the 9 KB
Parquet bomb, the 789 KB CSV with 100,000 columns, a 19 MB file, a lone surrogate): POST to
the upload route, then the Submit tab's preview by fn_index through the queue, as a hostile
visitor would. Printed: p50/p95 of /leaderboard idle and under abuse, how the hostile
requests ended (parsed and refused, refused by a quota, error), and the server's RSS before,
at its peak (VmHWM) and after.

Two launches: with the app's default limits (the attackers share one address, so the upload
and attempt quotas soon refuse them before any parse), and with --no-limits also measured
(quotas off: every hostile file reaches the parser, so what is left is the ingest bounds).

    python bench/abuse.py [--seconds 30] [--clients 4] [--skip-unlimited]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from tests.support import hostile  # noqa: E402
from tests.support.applaunch import launched_app  # noqa: E402
from tests.support.rawqueue import (
    config,
    file_data,
    fn_index,
    peak_rss_bytes,  # noqa: E402
    queue_call,
    rss_bytes,
)

MB = 1024 * 1024
NO_LIMITS = {
    "QBP_SUBMITS_PER_HOUR": "0",
    "QBP_ATTEMPTS_PER_HOUR": "0",
    "QBP_UPLOADS_PER_HOUR": "0",
    "QBP_UPLOAD_MB_PER_HOUR": "0",
    "QBP_UPLOAD_MB_PER_HOUR_ALL": "0",
}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def time_leaderboard(client, seconds: float) -> list[float]:
    """Latencies (s) of back-to-back /leaderboard calls for `seconds`."""
    out: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        rows = client.predict(table="table3", api_name="/leaderboard")
        out.append(time.perf_counter() - t0)
        assert rows, "the leaderboard answered no rows"
    return out


BOUNDARY = "qbp-abuse-boundary"
#: Attackers are niced: on a shared two-core box their own CPU would otherwise be what slows
#: the server (a real attacker's CPU is elsewhere); --attacker-nice 0 to turn off.
NICE = 10


def multipart(name: str, data: bytes) -> bytes:
    """One file as the upload route's multipart body, built once (so the attackers spend
    their CPU sending, not encoding)."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    return head.encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def attacker(
    url: str, index: int, payloads: list[tuple[str, bytes]], until: float, outcomes: Any
) -> None:
    """One hostile client (its own process, so its work does not share the timing
    client's interpreter): upload and preview each payload in turn until `until`."""
    counts: Counter = Counter()
    os.nice(NICE)
    i = 0
    while time.time() < until:
        name, data = payloads[i % len(payloads)]
        i += 1
        try:
            sent = httpx.post(
                url + "gradio_api/upload",
                content=data,
                timeout=120,
                headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
            )
            if sent.status_code != 200:
                what = f"upload refused ({sent.status_code})"
            else:
                out = queue_call(url, index, [file_data(sent.json()[0], name)])
                html = str(out.get("output", {}).get("data", [""])[0])
                what = (
                    "preview refused: rate limit"
                    if "rate limit" in html
                    else "parsed and refused"
                    if "Not accepted" in html
                    else "preview other"
                )
        except Exception as exc:  # noqa: BLE001 - a dropped connection is an outcome too
            what = f"error ({type(exc).__name__})"
        counts[what] += 1
    outcomes.put(dict(counts))


def scenario(
    label: str, env: dict[str, str], seconds: float, clients: int, payloads: list[tuple[str, bytes]]
) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        launched_app(Path(tmp) / "cwd", {"QBP_SEED_DEMO": "1", **env}) as app,
    ):
        client = app.client()
        pid = app.proc.pid
        time_leaderboard(client, 3.0)  # warm-up: the first board builds caches
        idle = time_leaderboard(client, min(10.0, seconds))
        rss_before, hwm_before = rss_bytes(pid), peak_rss_bytes(pid)
        index = fn_index(config(app.url), "preview")
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        until = time.time() + seconds + 1.0
        bodies = [(name, multipart(name, data)) for name, data in payloads]
        procs = [
            ctx.Process(target=attacker, args=(app.url, index, bodies, until, queue), daemon=True)
            for _ in range(clients)
        ]
        for p in procs:
            p.start()
        time.sleep(1.0)  # the attackers are under way
        cpu_before = cpu_seconds(pid)
        busy = time_leaderboard(client, seconds)
        cpu = (cpu_seconds(pid) - cpu_before) / seconds
        load = os.getloadavg()[0]
        outcomes: Counter = Counter()
        for _ in procs:
            outcomes.update(queue.get(timeout=300))
        for p in procs:
            p.join(60)
        rss_peak, rss_after = peak_rss_bytes(pid), rss_bytes(pid)
    print(f"\n== {label} ==")
    print(
        f"/leaderboard idle:        p50 {1000 * statistics.median(idle):7.1f} ms   "
        f"p95 {1000 * percentile(idle, 0.95):7.1f} ms   ({len(idle)} calls)"
    )
    print(
        f"/leaderboard under abuse: p50 {1000 * statistics.median(busy):7.1f} ms   "
        f"p95 {1000 * percentile(busy, 0.95):7.1f} ms   ({len(busy)} calls, "
        f"{clients} attackers, {seconds:g} s)"
    )
    print(f"  p50 ratio abuse/idle: {statistics.median(busy) / statistics.median(idle):.2f}x")
    print("  hostile requests: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    print(f"server CPU under abuse: {100 * cpu:.0f}% of one core (load average {load:.1f})")
    print(
        f"server RSS: before {rss_before / MB:.0f} MB (peak so far {hwm_before / MB:.0f} MB), "
        f"peak under abuse {rss_peak / MB:.0f} MB, after {rss_after / MB:.0f} MB "
        f"(peak growth {(rss_peak - max(rss_before, hwm_before)) / MB:+.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--skip-unlimited", action="store_true", help="only the default limits (one launch)"
    )
    parser.add_argument("--attacker-nice", type=int, default=10)
    args = parser.parse_args()
    global NICE
    NICE = args.attacker_nice
    print(
        f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"attackers at nice {NICE}"
    )
    ids = hostile.demo_ids()
    payloads = [
        ("bomb.parquet", hostile.parquet_bomb(ids)),
        ("wide.csv", hostile.wide_csv()),
        ("big.jsonl", hostile.filler(19 * MB)),
        ("surrogate.jsonl", hostile.SURROGATE),
    ]
    print("hostile uploads: " + ", ".join(f"{n} {len(d) / 1024:,.0f} KB" for n, d in payloads))
    scenario("default limits (quotas on)", {}, args.seconds, args.clients, payloads)
    if not args.skip_unlimited:
        scenario("quotas off (ingest bounds only)", NO_LIMITS, args.seconds, args.clients, payloads)


if __name__ == "__main__":
    main()
