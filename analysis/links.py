"""Links into the Space, written and read by one codec: a drill-down view, a model's page
and a row's details.

A drill-down link names an item, the chosen models and the list's filters:
``<page>?item=ID&models=a,b&dimension=Tech&outcome=all_wrong``. Models are joined with ","
after escaping "%" and "," inside each name (a model may be called "Foo, v2"), then the
whole query is URL-encoded; `parse_item_query` undoes both from the decoded parameters a
web framework hands the app. Filters at their default are left out, and a filter value the
benchmark does not know is dropped on reading (a link is visitor input).

A model page link is ``<page>?model=NAME`` (`model_link`, `parse_model_query`); the name is
returned as written, capped in length, for the caller to resolve against the board's rows.

A row's details (provenance, versions, changes) are ``<page>?row=<submission id or model>``.

The board's own state is ``<page>?table=table6&sort=SC_Global&order=asc&q=qwen&kinds=reported
&ci=1`` (`board_link`, `parse_board_query`), each parameter left out at its default. The board
writes it in the browser (ui/board_table.js through ui/url_state.js, which encode exactly as
`urlencode(quote_via=quote)` here; the browser tests compare the two) and reads it there.

A page shows one of these links at a time: `ui/url_state.js` puts the shown tab's link into
the address bar, so the first parameter that names a tab (`item`, `model`, `row`, else the
board) says which view a link opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from leaderboard.taxonomy import FIELD_VALUES, TABLES

from .drilldown import FILTER_FIELDS, OUTCOMES, ItemFilters

ITEM, MODELS, MODEL, ROW = "item", "models", "model", "row"
#: The board's parameters, in link order.
BOARD_PARAMS: tuple[str, ...] = ("table", "sort", "order", "q", "kinds", "weights", "sizes", "ci")
MAX_SEARCH_CHARS = 200  # a board search longer than this is cut (as the board does)
#: Longest model name a link may carry (a stored name is at most 80 characters).
MAX_MODEL_CHARS = 200
MAX_ROW_KEY = 200  # a submission id or a model name; longer is not a row
#: Query parameters of the filters, in link order: the item fields, then the outcome.
FILTER_PARAMS: tuple[str, ...] = FILTER_FIELDS + ("outcome",)
_DEFAULTS = ItemFilters()


@dataclass(frozen=True)
class ItemQuery:
    """What a drill-down link asks for."""

    item: str | None = None
    models: list[str] = field(default_factory=list)
    filters: ItemFilters = field(default_factory=ItemFilters)


def _escape_name(name: str) -> str:
    return name.replace("%", "%25").replace(",", "%2C")


def item_link(
    item_id: str, models: Iterable[str] = (), filters: ItemFilters | None = None, base: str = ""
) -> str:
    """The link to one item with `models` chosen and the list narrowed by `filters`:
    relative ("?item=...") without `base`, absolute when `base` is the page's URL."""
    params = {ITEM: item_id}
    names = [_escape_name(m) for m in models]
    if names:
        params[MODELS] = ",".join(names)
    for name in FILTER_PARAMS:
        value = getattr(filters or _DEFAULTS, name)
        if value and value != getattr(_DEFAULTS, name):
            params[name] = value
    return base + "?" + urlencode(params, quote_via=quote)


def _known(name: str, value: str | None) -> str | None:
    if not value:
        return None
    allowed = OUTCOMES if name == "outcome" else FIELD_VALUES.get(name, ())
    return value if value in allowed else None


def parse_item_query(params: Mapping[str, str]) -> ItemQuery:
    """The view a link asks for, from decoded query parameters (e.g. `request.query_params`).
    Unknown filter values are dropped; model names are returned as written (the caller
    resolves them against the verified models)."""
    raw = params.get(MODELS) or ""
    models = [unquote(m) for m in raw.split(",") if m]
    chosen = {f.name: _known(f.name, params.get(f.name)) for f in fields(ItemFilters)}
    chosen["outcome"] = chosen["outcome"] or _DEFAULTS.outcome
    return ItemQuery(params.get(ITEM) or None, models, ItemFilters(**chosen))


def page_base(url: str | None) -> str:
    """The page a link opens: scheme, host and path of `url` (query and fragment dropped);
    "" when it is not an http(s) URL, so the link stays relative."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


def model_link(name: str, base: str = "") -> str:
    """The link to a model's page: relative ("?model=...") without `base`, absolute when
    `base` is the page's URL."""
    return base + "?" + urlencode({MODEL: name}, quote_via=quote)


def parse_model_query(params: Mapping[str, str]) -> str | None:
    """The model a link's decoded parameters ask for (surrounding space dropped), or None;
    an overlong value is not a model name and is ignored."""
    name = (params.get(MODEL) or "").strip()
    if not name or len(name) > MAX_MODEL_CHARS:
        return None
    return name


def row_link(key: str, base: str = "") -> str:
    """The link to a row's details: `key` is a submission id or a model name."""
    return base + "?" + urlencode({ROW: key}, quote_via=quote)


def parse_row_query(params: Mapping[str, str]) -> str | None:
    """The row a link asks for (`?row=`), stripped; None when absent or not plausible."""
    key = (params.get(ROW) or "").strip()
    return key if key and len(key) <= MAX_ROW_KEY else None


@dataclass(frozen=True)
class BoardQuery:
    """The board's state as a link carries it: the table, the sort (direction None = the
    sort's default: best first, names A to Z), the search, the ticked values of each filter
    (None = all of them) and whether intervals are shown."""

    table: str = "table3"
    sort: str = "Overall"  # Table 3's Overall, the board's headline
    descending: bool | None = None
    search: str = ""
    kinds: tuple[str, ...] | None = None
    weights: tuple[str, ...] | None = None
    sizes: tuple[str, ...] | None = None
    intervals: bool = False


def _board_rules() -> tuple[dict[str, tuple[str, ...]], Any, Any]:
    """The board's filter choices and sort rules, from their owners (imported here: the
    board's modules import this codec through `trust_views`)."""
    from .board import SIZE_CHOICES, WEIGHT_CHOICES
    from .entries import KINDS
    from .paper_board import default_descending, sort_keys

    choices = {"kinds": KINDS, "weights": WEIGHT_CHOICES, "sizes": SIZE_CHOICES}
    return choices, default_descending, sort_keys


def board_link(query: BoardQuery, base: str = "") -> str:
    """The link to the board in this state: `base` alone (the bare page) at the default
    state. ui/board_table.js writes the same string in the browser."""
    choices, default_descending, _ = _board_rules()
    default = BoardQuery()
    params: dict[str, str] = {}
    if query.table != default.table:
        params["table"] = query.table
    if query.sort != default.sort:
        params["sort"] = query.sort
    if query.descending is not None and query.descending != default_descending(query.sort):
        params["order"] = "desc" if query.descending else "asc"
    if query.search:
        params["q"] = query.search
    for name, allowed in choices.items():
        ticked = getattr(query, name)
        chosen = list(allowed) if ticked is None else [v for v in allowed if v in ticked]
        if chosen != list(allowed):
            params[name] = ",".join(chosen)
    if query.intervals:
        params["ci"] = "1"
    return base + ("?" + urlencode(params, quote_via=quote) if params else "")


def parse_board_query(params: Mapping[str, str]) -> BoardQuery:
    """The board state a link's decoded parameters ask for, as the board reads it
    (ui/board_table.js): an unknown table, or a sort the table lacks (with its direction),
    falls back to the default; unknown filter values are dropped; the search is cut to
    `MAX_SEARCH_CHARS`."""
    choices, default_descending, sort_keys = _board_rules()
    default = BoardQuery()
    table = params.get("table") or default.table
    table = table if table in TABLES else default.table
    sort = params.get("sort") or default.sort
    known = sort in sort_keys(table)
    sort = sort if known else default.sort
    order = params.get("order") if known else None  # a direction never outlives its key
    desc = None if order is None else order != "asc"
    if desc == default_descending(sort):
        desc = None
    ticked: dict[str, tuple[str, ...] | None] = {}
    for name, allowed in choices.items():
        got = tuple(v for v in allowed if v in (params.get(name) or "").split(","))
        ticked[name] = None if name not in params or got == allowed else got
    return BoardQuery(
        table,
        sort,
        desc,
        (params.get("q") or "")[:MAX_SEARCH_CHARS],
        ticked["kinds"],
        ticked["weights"],
        ticked["sizes"],
        params.get("ci") == "1",
    )
