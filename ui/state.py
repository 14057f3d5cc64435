"""The Space's state without any UI: benchmark, submission pipeline and store, board entries,
and the operations the UI and the API share (submit, leaderboard rows, item detail).

Start-up reads only each submission's small meta.json/result.json (through the store);
per-item tables are read on first drill-down. An empty store is seeded once from the
bundle's models.json through the normal submission pipeline, so demo rows are verified rows.
A submit drives the pipeline's stages (`leaderboard.submission`): prepare (parse once, score
the closed-ended items), then, while the judge works on the open-ended answers, the upload is
a pending row (`ui.pending`) built from the prepared result; it is stored, and becomes a
verified row, only once judging is done. No Gradio here (a test keeps it so).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import board, board_uncertainty, drilldown, report
from analysis.compare import Comparison, compare_models
from analysis.entries import VERIFIED, Entry, reported_entries, verified_entries
from analysis.intervals import board_intervals, rank_table
from analysis.paper_board import choose_baseline
from analysis.score_matrix import ScoreRows
from leaderboard.benchmark import Benchmark, load_benchmark
from leaderboard.bootstrap import DEFAULT_RESAMPLES
from leaderboard.errors import InputError
from leaderboard.hub_sync import open_store, sync_status
from leaderboard.identity import SEED_OWNER, Account, Identities
from leaderboard.judges import Judge, default_cache_path
from leaderboard.limits import bounded_models, bounded_search
from leaderboard.moderation import AdminGate
from leaderboard.names import name_key as model_key
from leaderboard.predictions import short
from leaderboard.review import review_reasons, under_review
from leaderboard.scoring import cell_masks
from leaderboard.settings import PAPER_DIR, REPO_ROOT, AppSettings, Limits, ServerLimits
from leaderboard.store import StorageError, Submission, SubmissionStore
from leaderboard.submission import SubmissionPipeline, judge_failures

from .files import ServedImages, default_served_root, hub_cache_folders
from .pending import PendingBoard, start_pending
from .rejudging import RejudgeLoop

log = logging.getLogger("qbp.app")


def make_app_judge(name: str) -> Judge | None:
    """The configured judge: "none" -> None; "auto" -> the approximate judge when the
    judges module is present, else None (OE shown as unjudged)."""
    if name == "none":
        return None
    try:
        from leaderboard.judges import make_judge  # type: ignore[import-not-found]
    except ImportError:
        if name == "auto":
            return None
        raise
    return make_judge("approx" if name == "auto" else name)


def _seed_specs(models_json: Path) -> list[dict[str, Any]]:
    """The bundle's model list: a JSON list (or {"models": [...]}) of objects naming the
    prediction file and the model's metadata."""
    data = json.loads(models_json.read_text("utf-8"))
    if isinstance(data, dict):
        data = data.get(
            "models", list(data.values()) if all(isinstance(v, dict) for v in data.values()) else []
        )
    return [d for d in data if isinstance(d, dict)]


def _first(d: Mapping[str, Any], *keys: str) -> Any:
    return next((d[k] for k in keys if d.get(k) not in (None, "")), None)


@dataclass
class SubmitOutcome:
    """What the uploader is told, and what the API returns."""

    ok: bool
    message: str
    summary: dict[str, Any] | None = None
    submission: Submission | None = None
    rank: int | None = None
    ranked: int = 0
    duplicate: bool = False
    row: dict[str, Any] | None = None
    error: Exception | None = None  # why it was refused (`ui.actions` names the argument)

    def as_json(self) -> dict[str, Any]:
        """What /submit returns for a stored (or already stored) file; a refusal is an
        error instead (`ui.api`)."""
        review = self.submission.review if self.submission else None
        return {
            "message": self.message,
            "duplicate": self.duplicate,
            "rank": self.rank,
            "ranked": self.ranked,
            "row": self.row,
            "report": self.summary,
            "submission_id": self.submission.id if self.submission else None,
            "under_review": under_review(review),
            "review": review_reasons(review) if under_review(review) else [],
        }


@dataclass
class AppState:
    settings: AppSettings
    bench: Benchmark
    store: SubmissionStore
    pipeline: SubmissionPipeline  # every upload goes through it (it holds the judge)
    reported: list[Entry]
    paper_counts: dict[str, dict[str, int]]
    loaded_counts: dict[str, dict[str, int]]
    seeded: list[str] = field(default_factory=list)
    pending: PendingBoard = field(default_factory=PendingBoard)  # uploads being judged
    _entries: list[Entry] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Bootstrap resamples of every interval, rank range and comparison (seed 0).
    resamples: int = DEFAULT_RESAMPLES
    _scores: tuple[list[str], np.ndarray] | None = None
    _generation: int = 0  # bumped by invalidate(): a result computed before is not kept
    _comparisons: dict[tuple[str, str], Comparison] = field(default_factory=dict)
    #: Who a request is (sign-in, token or the local user) and the throttled admin check.
    identity: Identities = field(default_factory=Identities.from_env)
    admin_gate: AdminGate = field(default_factory=AdminGate)
    _trust: Any = None  # ui.trust.TrustService, made on first use
    _score_rows: ScoreRows | None = None
    baseline_note: str = ""  # which Random row the board shows, and why (paper_board)
    #: Called after the rows change (a submit, a pending row, a moderation).
    listeners: list[Callable[[], None]] = field(default_factory=list)

    @property
    def generation(self) -> int:
        """Bumped whenever the store changes: caches of derived views key on it."""
        return self._generation

    _images: ServedImages | None = None
    #: Upload quota, request size and upload-cache age (ui.request_guard, gr.Blocks).
    server_limits: ServerLimits = field(default_factory=ServerLimits.from_env)
    rejudger: RejudgeLoop | None = None  # judge failures judged again in the background

    # ----------------------------------------------------------------- start-up
    @classmethod
    def start(cls, settings: AppSettings | None = None) -> AppState:
        settings = settings or AppSettings.from_env()
        bench = load_benchmark(
            settings.benchmark, mapping=settings.mapping, revision=settings.revision
        )
        judge = make_app_judge(settings.judge)
        # Restores from the Hub when configured, re-scores stale results, pushes changes.
        store = open_store(settings.submissions_dir, bench, judge=judge)
        pipeline = SubmissionPipeline(bench, store, judge=judge, limits=Limits.from_env())
        masks = cell_masks(bench)
        loaded = {
            t: {c: int(n) for c, n in cells.items()}
            for t, cells in masks.unflatten(masks.matrix.sum(axis=1)).items()
        }
        state = cls(
            settings,
            bench,
            store,
            pipeline,
            reported_entries(PAPER_DIR),
            board.read_paper_counts(PAPER_DIR),
            loaded,
        )
        # Seed only a store known to be empty: not while a Hub restore is still pending.
        if settings.seed_demo and not store.scan() and sync_status(store).state in ("off", "ok"):
            state.seeded = state.seed()
        # What a crash left (temp folders, *.tmp files, ~ one upload each) is removed now,
        # unless another writer (a CLI re-score) holds the lock or a Hub restore still runs.
        cleaned = (
            store.clean_leftovers(wait=False) if sync_status(store).state in ("off", "ok") else []
        )
        if cleaned:
            log.warning("removed what unfinished writes left in the store: %s", cleaned)
        elif store.leftovers:
            log.warning("unfinished submission folders ignored: %s", store.leftovers)
        for problem in store.problems:
            log.warning("store: %s", problem)
        if judge is not None:  # judge failures judged again now, then on a schedule
            state.rejudger = RejudgeLoop(
                pipeline, pipeline.judge_limits.rejudge_interval_s, on_change=state.invalidate
            ).start()
        return state

    def close(self) -> None:
        """Stop the background work (the re-judging thread)."""
        if self.rejudger is not None:
            self.rejudger.stop()

    @property
    def judge(self) -> Judge | None:
        """The OE judge of every submit (the pipeline's; None: OE stays unjudged)."""
        return self.pipeline.judge

    @judge.setter
    def judge(self, judge: Judge | None) -> None:
        self.pipeline.judge = judge

    @property
    def limits(self) -> Limits:
        """Upload size caps and per-client quotas (the pipeline's)."""
        return self.pipeline.limits

    @property
    def trust(self) -> Any:
        """The trust features (provenance, changes, agreement, flags): `ui.trust`."""
        if self._trust is None:
            from .trust import TrustService  # it builds on this module

            with self._lock:
                if self._trust is None:
                    self._trust = TrustService(self)
        return self._trust

    @property
    def persistence(self) -> str:
        """Where submissions are kept (Hub sync status), in one sentence."""
        return str(sync_status(self.store))

    def seed(self) -> list[str]:
        """Store the bundle's demo predictions (models.json) as ordinary submissions."""
        models_json = self.bench.root / "models.json"
        if not models_json.is_file():
            return []
        done = []
        for spec in _seed_specs(models_json):
            rel = _first(spec, "file", "predictions", "path", "file_name")
            name = _first(spec, "model", "name")
            if not rel or not name:
                continue
            path = (self.bench.root / str(rel)).resolve()
            if not path.is_relative_to(self.bench.root.resolve()) or not path.is_file():
                log.warning("seed: prediction file %s not found", rel)
                continue
            params = _first(spec, "params", "parameters", "size", "params_b")
            if isinstance(params, (int, float)):
                params = f"{params:g}B"
            meta = {
                "model": name,
                "params": params,
                "open": spec.get("open"),
                "link": _first(spec, "link", "url"),
                "submitter": "demo bundle",
            }
            try:
                # the bundle's own rows, stored by the operator: not held for review
                sub = self.pipeline.submit(
                    path.read_bytes(), path.name, meta, account=SEED_OWNER, review=False
                )
                done.append(sub.id)
            except InputError as exc:
                log.warning("seed: %s not stored: %s", name, exc)
        self.invalidate()
        return done

    # ----------------------------------------------------------------- entries
    def invalidate(self, pending: int | None = None) -> None:
        """Forget everything derived from the store (call after it changes); also drop the
        pending row `pending` in the same step, so the stored row replaces it at once."""
        with self._lock:
            self._entries = None
            self._scores = None  # statistics follow the store
            self._comparisons = {}
            self._generation += 1
            self.pending.drop(pending)
        self._changed()

    def _changed(self) -> None:
        """Tell the listeners (the board's page payload) that the rows changed."""
        for listener in list(self.listeners):
            try:
                listener()
            except Exception:  # noqa: BLE001 - a view must not break a submit
                log.exception("state listener failed")

    def entries(self) -> list[Entry]:
        """Reported rows, verified rows (Random of the loaded benchmark first), then the
        uploads being judged as pending rows."""
        with self._lock:
            if self._entries is None:  # one Random row: paper_board.choose_baseline
                choice = choose_baseline(
                    self.reported,
                    verified_entries(
                        self.bench, self.store.submissions(), self.pipeline.ownership.owner
                    ),
                    self.loaded_counts,
                    self.paper_counts,
                )
                self._entries, self.baseline_note = choice.entries, choice.note
            return self._entries + self.pending.entries()

    def verified_models(self) -> list[str]:
        """Names of the drillable (stored, visible) models, best Overall first."""
        subs = [e for e in self.entries() if e.kind == VERIFIED and e.submission_id]
        subs.sort(key=lambda e: (-(e.value("table3", "Overall") or -1.0), e.name.casefold()))
        return [e.name for e in subs]

    def _submission_by_name(self) -> dict[str, Submission]:
        return {s.model_key: s for s in self.store.submissions()}

    def model_frames(self, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """Per-item tables of the named verified models (read once, then cached); at most
        `limits.MAX_MODELS_PER_REQUEST` of them."""
        subs = self._submission_by_name()
        out = {}
        for name in bounded_models(list(names or [])) or []:
            sub = subs.get(model_key(name))
            if sub is not None:
                out[sub.meta.model] = sub.items()
        return out

    # ----------------------------------------------------------------- statistics
    def score_matrix(self) -> tuple[list[str], np.ndarray]:
        """(names, scores): item scores (n_models, n_items), benchmark order, NaN where
        unknown, of the visible verified models (latest version of each), best Overall
        first as in `verified_models`. Read-only; cached until `invalidate`.

        A model whose stored items do not line up with the loaded benchmark (a re-score
        pending) is left out rather than mis-aligned."""
        with self._lock:
            if self._scores is not None:
                return self._scores
            generation = self._generation
        entries = self.entries()
        by_name = {
            e.name: e.submission_id for e in entries if e.kind == VERIFIED and e.submission_id
        }
        subs = {s.id: s for s in self.store.submissions()}
        chosen = [subs[by_name[n]] for n in self.verified_models() if by_name.get(n) in subs]
        if self._score_rows is None:  # rows read once, kept on disk (analysis/score_matrix)
            self._score_rows = ScoreRows(self.store.root, self.bench)
        kept, scores = self._score_rows.matrix(chosen)
        scores.flags.writeable = False
        out = ([s.meta.model for s in kept], scores)
        with self._lock:
            if self._generation == generation:
                self._scores = out
        return out

    @property
    def clustered(self) -> bool:
        """Items share images, so the bootstrap draws images (with all their questions)."""
        return self.bench.image_clusters is not None

    def intervals(self, table: str | None) -> pd.DataFrame:
        """`intervals.board_intervals` of the verified models on one table (None: all)."""
        names, scores = self.score_matrix()
        return board_intervals(names, scores, self.bench, table, resamples=self.resamples)

    def ranks(self, cell: str | tuple[str, str] = board.OVERALL) -> pd.DataFrame:
        """`intervals.rank_table` of the verified models on one cell (rows held for review
        take no rank, so they are left out)."""
        names, scores = self.score_matrix()
        held = {e.name for e in self.entries() if e.under_review}
        if held:
            keep = [i for i, n in enumerate(names) if n not in held]
            names, scores = [names[i] for i in keep], scores[keep]
        return rank_table(names, scores, self.bench, cell, resamples=self.resamples)

    def compare(self, a: str, b: str) -> Comparison:
        """Paired comparison of two verified models (ValueError naming an unknown one).

        A model against itself is computed like any pair (zero differences, McNemar p=1)
        so the API answers it; the view layer refuses equal names, hence the twin row."""
        names, scores = self.score_matrix()
        with self._lock:
            generation, cached = self._generation, self._comparisons.get((a, b))
        if cached is not None:
            return cached
        if a == b and a in names:
            row = scores[names.index(a)]
            twin = compare_models(
                "A", "B", ["A", "B"], np.vstack([row, row]), self.bench, resamples=self.resamples
            )
            out = dataclasses.replace(twin, a=a, b=b)
        else:
            out = compare_models(a, b, names, scores, self.bench, resamples=self.resamples)
        with self._lock:
            if self._generation == generation:
                if len(self._comparisons) >= 16:
                    self._comparisons.pop(next(iter(self._comparisons)))
                self._comparisons[(a, b)] = out
        return out

    # ----------------------------------------------------------------- operations
    def view(
        self,
        table: str = "table3",
        filters: board.Filters | None = None,
        sort_by: str = board.OVERALL,
        descending: bool | None = None,
        intervals: bool = False,
    ) -> board.BoardView:
        """The board; with `intervals`, verified cells read "61.2 ± 1.8" and Rank range /
        Group columns follow Model (the frame stays numeric)."""
        if filters is not None:  # what a request sent: its work must not grow with it
            filters = dataclasses.replace(
                filters,
                search=bounded_search(filters.search),
                kinds=tuple(dict.fromkeys(filters.kinds)),
                weights=tuple(dict.fromkeys(filters.weights)),
                sizes=tuple(dict.fromkeys(filters.sizes)),
            )
        view = board.build_view(self.entries(), table, filters, sort_by, descending)
        if intervals:
            view = board_uncertainty.with_uncertainty(
                view, self.intervals(table), self.ranks(board_uncertainty.rank_cell(table, sort_by))
            )
        return view

    def preview(self, data: bytes, file_name: str, client: str | None = None) -> dict[str, Any]:
        """Parse and score without judging or storing, for the report shown on upload; the
        submit of the same bytes reuses this parse. `client` is charged one upload attempt
        (the pipeline's quota, as a submit). Raises InputError when the file cannot be
        scored, RateLimitError (an InputError) when the client is over its quota."""
        preview = self.pipeline.preview(data, file_name, client=client)
        return report.summarise(
            preview.upload.report, preview.result.status_counts, preview.result.items
        )

    def submit(
        self,
        data: bytes,
        file_name: str,
        meta: Mapping[str, Any],
        progress: Callable[[int, int], None] | None = None,
        client: str | None = None,
        account: Account | None = None,
    ) -> SubmitOutcome:
        """Score and store one upload; a refusal names what is wrong and stores nothing.
        `client` (limits.client_key) is rate-limited by the pipeline; `account` is who
        submits (`ui.actions` establishes it; None: the local user, refused on the Hub), and
        the model name must be free for it or its own (`leaderboard.ownership`). Once the
        upload is parsed and its open-ended answers go to the judge, the board shows it as a
        pending row; `progress(done, total)` follows the judge."""
        key: int | None = None  # the pending row's key, once there is one
        ticks: list[Callable[[int, int], None]] = [progress] if progress else []

        def tick(done: int, total: int) -> None:
            for fn in ticks:
                fn(done, total)

        prepared = None
        try:
            who = account or self.identity.resolve()
            prepared = self.pipeline.prepare(
                data, file_name, dict(meta), client=client, account=who.name
            )
            pending = (
                start_pending(prepared.preview, prepared.form, self.judge)
                if prepared.duplicate is None
                else None
            )
            if pending is not None:
                key = self.pending.add(pending)
                ticks.append(pending.update)
                self._changed()  # the board's page payload shows the pending row
            sub = self.pipeline.finish(prepared, progress=tick)
        except (InputError, StorageError) as exc:  # bad file/form, too many, disk trouble
            return SubmitOutcome(False, str(exc), error=exc)
        finally:
            if prepared is not None:
                self.invalidate(pending=key)
        entries = self.entries()
        rank, ranked = board.rank_of(entries, sub.meta.model, VERIFIED)
        items = sub.items()
        summary = report.summarise(
            sub.result.get("parse_report", {}), sub.result.get("status_counts", {}), items
        )
        view = board.build_view(
            entries, "table3", board.Filters(kinds=(VERIFIED,), search=sub.meta.model)
        )
        row = next((r for r in board.to_rows(view) if r["submission_id"] == sub.id), None)
        where = f"rank {rank} of {ranked} by Overall" if rank else "unranked (no Overall)"
        owner = self.pipeline.ownership.owner(sub)
        if under_review(sub.review):
            where = (
                "unranked: held for review until the admin clears it ("
                + "; ".join(review_reasons(sub.review))
                + ")"
            )
        msg = (
            f"Already stored: this exact file was submitted for {sub.meta.model} before ({where})."
            if sub.duplicate
            else f"Accepted: {sub.meta.model} (version {sub.meta.version}, owned by {owner}) "
            f"is on the board, {where}."
        )
        counts = sub.result.get("status_counts", {})
        failed = int(counts.get("judge_failed", 0))
        before = judge_failures(prepared.duplicate) if prepared.duplicate is not None else 0
        if before and self.judge is not None:
            msg += (
                f" Its {before} open-ended answer(s) the judge could not score before were "
                f"sent to the judge again: {before - failed} judged now."
            )
        if row and (failed or counts.get("judged")):
            msg += f" Open-ended answers judged by {row['judge']}."
        if failed:
            msg += (
                f" The judge could not score {failed} open-ended answer(s) (judge_failed); "
                "the cells holding them show “-”."
            )
        return SubmitOutcome(True, msg, summary, sub, rank, ranked, sub.duplicate, row)

    def leaderboard_rows(
        self,
        table: str = "table3",
        kinds: Sequence[str] | None = None,
        search: str = "",
        weights: Sequence[str] | None = None,
        sizes: Sequence[str] | None = None,
        sort_by: str = board.OVERALL,
        descending: bool | None = None,
    ) -> list[dict[str, Any]]:
        filters = board.Filters(
            kinds=tuple(kinds) if kinds else board.KINDS,
            search=bounded_search(search),
            weights=tuple(weights) if weights else board.WEIGHT_CHOICES,
            sizes=tuple(sizes) if sizes else board.SIZE_CHOICES,
        )
        return board.to_rows(self.view(table, filters, sort_by, descending))

    def item(self, item_id: str, models: Sequence[str] | str | None) -> dict[str, Any]:
        """One item's detail for the named verified models; unknown names are listed."""
        if not isinstance(item_id, str) or item_id not in self.bench.index_of:
            raise KeyError(f"no item with id {short(item_id)} in the loaded benchmark")
        found, unknown = drilldown.resolve_models(bounded_models(models), self.verified_models())
        detail = drilldown.item_detail(self.bench, item_id, self.model_frames(found))
        detail["unknown_models"] = unknown
        return detail

    @property
    def images(self) -> ServedImages:
        """The drill-down's images, each copied on first view into a folder of its own (the
        only folder the app serves files from)."""
        with self._lock:
            if self._images is None:
                self._images = ServedImages(self.bench, default_served_root())
            return self._images

    def image_path(self, item_id: str) -> str | None:
        """The served copy of an item's image (never a path into the bundle)."""
        return self.images.path_for(item_id)

    def private_folders(self) -> list[Path]:
        """Folders no URL may reach: the bundle (gold answers), the Hub cache, the store,
        the judge cache, the app's own source and the working directory."""
        folders = [self.bench.root, *hub_cache_folders(), self.store.root]
        cache = getattr(self.judge, "cache", None)
        if cache is not None and getattr(cache, "path", None) is not None:
            folders.append(Path(cache.path).parent)
        folders += [default_cache_path().parent, REPO_ROOT, Path.cwd()]
        return [Path(f).resolve() for f in folders]
