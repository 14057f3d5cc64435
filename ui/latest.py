"""Latest wins, per visitor: which of a page's requests came last, and what it chose.

Unqueued Gradio events run side by side (their `trigger_mode` only orders queued ones),
so two quick clicks are two requests whose answers can arrive in either order, and both
read the page's state as it was before either answered: a second Next ▶ would step from
the same item as the first. A `Latest` keeps, per (session, channel), a ticket and the
value the latest request chose; a request takes a ticket as it starts, derives its value
from the one before (the item the page is about to show, not the one it shows), and when
it ends answers only if no later request has started. Bounded (least recently used
sessions are forgotten) and safe across threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import gradio as gr


@dataclass(frozen=True)
class Ticket:
    """A request's place in its channel: `key` is None for a caller with no session (a
    direct call in-process), whose requests are never out of date."""

    key: Hashable | None
    number: int
    value: Any


def session_of(request: gr.Request | None) -> str | None:
    """The page a request came from (Gradio's session hash), if it says."""
    return getattr(request, "session_hash", None) or None


class Latest:
    """Tickets per (session, channel); see the module docstring."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._issued = 0  # tickets are numbered across pages: a forgotten page's new
        # tickets never repeat the numbers of its requests still running

    def take(
        self,
        request: gr.Request | None,
        channel: str,
        choose: Callable[[Any | None], Any],
    ) -> Ticket:
        """A ticket for a request that starts now; `choose(previous)` gets the value the
        previous request of this page and channel chose (None if there was none) and
        returns this one's."""
        session = session_of(request)
        if session is None:
            return Ticket(None, 0, choose(None))
        key = (session, channel)
        with self._lock:
            _, previous = self._entries.get(key, (0, None))
            value = choose(previous)
            self._issued += 1
            self._entries[key] = (self._issued, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return Ticket(key, self._issued, value)

    def current(self, ticket: Ticket) -> bool:
        """No later request of the ticket's page and channel has started."""
        if ticket.key is None:
            return True
        with self._lock:
            entry = self._entries.get(ticket.key)
        return entry is None or entry[0] == ticket.number
