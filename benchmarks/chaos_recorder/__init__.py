"""Benchmark-only custom integration: puts every `gsm_gateway_sms_received` event on record before it returns.

`benchmarks/hard_kill.py` installs it into the throw-away config directory of the Home Assistant it kills with
SIGKILL. Each event is one JSON line appended with a single `os.write` to an `O_APPEND` file, inside the event's
own callback: once the write returned, the line is in the kernel's page cache, so it survives a SIGKILL that
follows microseconds later (only a power loss would lose it). No buffering, no executor, no Store: those are what
a hard kill interrupts.

Its first line per process (`ready`) says how many SMS events the GSM Gateway inboxes had already fired when the
listener was attached: anything but 0 would mean events the record missed, and the benchmark refuses to count.
A `started` line follows once Home Assistant has started and handles SIGTERM (a clean stop).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.typing import ConfigType

DOMAIN = "chaos_recorder"
EVENT_SMS_RECEIVED = "gsm_gateway_sms_received"  # not imported: this file must not load the integration itself
RECORD_FILE = "chaos_events.jsonl"


def _already_fired(hass: HomeAssistant) -> int:
    """SMS events fired by GSM Gateway entries set up before this listener (0 when none had started receiving)."""
    fired = 0
    for entry in hass.config_entries.async_entries("gsm_gateway"):
        receiver = getattr(getattr(entry, "runtime_data", None), "receiver", None)
        inbox = getattr(receiver, "inbox", None)
        fired += int(getattr(inbox, "delivered", 0) or 0)
    return fired


async def async_setup(hass: HomeAssistant, _config: ConfigType) -> bool:
    """Open the record and listen; never closed (the process ends by a kill, or by a stop that closes it)."""
    descriptor = os.open(
        os.path.join(hass.config.config_dir, RECORD_FILE),  # noqa: PTH118 - a plain path for os.open
        os.O_WRONLY | os.O_APPEND | os.O_CREAT,
        0o644,
    )
    pid = os.getpid()

    def write(record: dict[str, Any]) -> None:
        os.write(descriptor, (json.dumps(record, ensure_ascii=False) + "\n").encode())

    @callback  # runs in the event loop, synchronously with the event
    def on_sms(event: Event) -> None:
        write(
            {
                "kind": "sms",
                "pid": pid,
                "at": time.monotonic(),
                "text": event.data.get("text"),
                "message_id": event.data.get("message_id"),
            }
        )

    def started() -> None:
        write({"kind": "started", "pid": pid, "at": time.monotonic()})

    @callback
    def on_started(_event: Event) -> None:
        # One loop turn later: Home Assistant installs its SIGTERM handler in the step that fires this event, and
        # a SIGTERM before that would end the process like a kill.
        hass.loop.call_soon(started)

    hass.bus.async_listen(EVENT_SMS_RECEIVED, on_sms)
    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, on_started)
    write({"kind": "ready", "pid": pid, "at": time.monotonic(), "already_fired": _already_fired(hass)})
    return True
