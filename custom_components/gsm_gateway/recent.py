"""The latest SMS received on each port, kept in memory so a voice assistant can answer "what was my last SMS?".

The event entity only shows the last event of any kind (a delivery report replaces an SMS), and message texts are
deliberately kept out of history, so the assistant's tool (`llm.py`) reads this small ring instead: at most
`RECENT_LIMIT` messages per port, fed where the SMS events fire. Memory only: nothing on disk, in diagnostics or
in logs, and a reload or restart starts empty (messages that arrive while Home Assistant is down fill it again at
the start-up catch-up).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import count

from homeassistant.core import callback

from .dispatch import clean
from .inbox import ReceivedMessage

RECENT_LIMIT = 5  # messages kept per port; also the most the assistant's tool returns at once


@dataclass(frozen=True, slots=True)
class RecentSms:
    """A received SMS as an assistant may read it (fields cleaned like the event's)."""

    port: int
    sender: str
    text: str
    received_at: datetime
    incomplete: bool
    arrival: int  # order of arrival here, to keep two messages with the same device time in order


class RecentMessages:
    """A bounded ring of the latest SMS per port."""

    def __init__(self, limit: int = RECENT_LIMIT) -> None:
        """Keep at most `limit` messages per port."""
        self._limit = limit
        self._ports: dict[int, deque[RecentSms]] = {}
        self._arrivals = count()

    @callback
    def async_add(self, message: ReceivedMessage) -> None:
        """Remember a message that just fired its event; one of an unknown port has no port to be read from."""
        if message.ref is None:
            return
        ring = self._ports.setdefault(message.ref.port, deque(maxlen=self._limit))
        ring.append(
            RecentSms(
                port=message.ref.port,
                sender=str(clean(message.sender, "sender")),
                text=str(clean(message.text, "text")),
                received_at=message.received_at,
                incomplete=message.incomplete,
                arrival=next(self._arrivals),
            )
        )

    def latest(self, ports: Iterable[int], limit: int) -> list[RecentSms]:
        """The newest `limit` messages of `ports`, newest first."""
        messages = [message for port in set(ports) for message in self._ports.get(port, ())]
        messages.sort(key=lambda message: (message.received_at, message.arrival), reverse=True)
        return messages[:limit]
