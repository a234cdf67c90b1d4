"""Polling the Synway inbox without loss: overlapping time windows, stable message ids, a small seen-set.

Synway cannot push incoming SMS, so polling has to be complete on its own. The cursor holds the window end
`since`: the device timestamp of the newest message delivered so far. The next query asks for everything from
`since - overlap` on (no `endtime`), and the client drops what it delivered already: messages older than the
window start, and messages whose id is in `seen` (the ids delivered inside the overlap).

Why the window end is a device timestamp and not the host's clock: the device stamps messages with its own,
possibly wrong, clock. Staying in that clock means a skewed device clock delays nothing and loses nothing.

`message_id` is a hash of the device timestamp, the port label, the sender, the text and an occurrence number
(1 for the first record with these fields in one answer, 2 for an identical second one), so the overlap
de-duplicates and two identical texts in the same second are still two messages.

Guarantee (docs/protocol-synway.md): no message is lost as long as the device keeps it until the next
successful poll and stamps it no earlier than `overlap` before the newest message already delivered (late
writes and backward clock steps up to `overlap` are covered).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
import hashlib
import logging
from typing import Any

from ..models import IncomingSms
from .grammar import SynwayGrammarError, format_stamp, parse_stamp

_LOGGER = logging.getLogger(__name__)

CURSOR_VERSION = 1
DEFAULT_OVERLAP = timedelta(minutes=5)


def message_id(stamp: datetime, port_label: str, sender: str, text: str, occurrence: int = 1) -> str:
    """Stable id of a received SMS from its fields (the same on `queryrxsms` and `newqueryrxsms`)."""
    material = "\x1f".join(("synway", format_stamp(stamp), port_label, sender, text, str(occurrence)))
    return hashlib.sha256(material.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxCursor:
    """Where polling continues. Serialised as `{"v": 1, "since": "YYYYMMDDhhmmss" | None, "seen": [...]}`."""

    since: datetime | None = None  # device local time of the newest message delivered
    seen: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        """JSON-friendly form for callers to persist."""
        return {
            "v": CURSOR_VERSION,
            "since": None if self.since is None else format_stamp(self.since),
            "seen": sorted(self.seen),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> InboxCursor:
        """Read a persisted cursor. An unreadable one starts over (duplicates are possible, loss is not)."""
        if raw is None:
            return cls()
        try:
            since_raw = raw.get("since")
            since = None if since_raw is None else parse_stamp(str(since_raw))
            seen_raw = raw.get("seen", [])
            if raw.get("v") != CURSOR_VERSION or not isinstance(seen_raw, list):
                raise TypeError  # noqa: TRY301 - one path for every kind of bad cursor
            return cls(since=since, seen=frozenset(str(item) for item in seen_raw))
        except AttributeError, TypeError, SynwayGrammarError:
            _LOGGER.warning("Synway inbox cursor is unreadable; reading the whole inbox again")
            return cls()


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A message as the device listed it, with its device-local timestamp."""

    stamp: datetime  # naive, device local time
    sms: IncomingSms


def with_occurrences(keys: Iterable[tuple[datetime, str, str, str]]) -> list[int]:
    """Occurrence number of each key among equal keys before it: 1, 1, 2, ..."""
    counts: dict[tuple[datetime, str, str, str], int] = {}
    numbers: list[int] = []
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
        numbers.append(counts[key])
    return numbers


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """What one poll delivers and where the next one continues."""

    messages: tuple[IncomingSms, ...]
    cursor: InboxCursor
    more: bool


def window_start(cursor: InboxCursor, overlap: timedelta) -> datetime | None:
    """The `begintime` of the next query, or None for the whole inbox."""
    return None if cursor.since is None else cursor.since - overlap


def select_new(candidates: Sequence[Candidate], cursor: InboxCursor, overlap: timedelta, limit: int) -> Selection:
    """Pick the messages not delivered yet (oldest first, at most `limit`) and move the cursor past them."""
    start = window_start(cursor, overlap)
    in_window = [c for c in candidates if start is None or c.stamp >= start]
    fresh = sorted(
        (c for c in in_window if c.sms.message_id not in cursor.seen),
        key=lambda c: (c.stamp, c.sms.port_label, c.sms.message_id),
    )
    delivered = fresh[: max(limit, 0)]
    since = cursor.since
    if delivered:
        newest = delivered[-1].stamp
        since = newest if since is None else max(since, newest)
    delivered_ids = {c.sms.message_id for c in delivered}
    next_start = None if since is None else since - overlap
    seen = frozenset(
        c.sms.message_id
        for c in in_window
        if (next_start is None or c.stamp >= next_start)
        and (c.sms.message_id in cursor.seen or c.sms.message_id in delivered_ids)
    )
    return Selection(
        messages=tuple(c.sms for c in delivered),
        cursor=InboxCursor(since=since, seen=seen),
        more=len(fresh) > len(delivered) > 0,
    )
