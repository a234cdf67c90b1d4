"""The "Limits" section of `docs/reliability.md`: every bound on what one push or one action may cost.

The values are read from the constants the code enforces, so the page cannot drift from them; each has a test
that goes beyond it (`tests/security/`, `tests/client/test_push_limits.py`, `tests/fuzz/`, and the e2e tests of
the inbox, sending and USSD).
"""

from __future__ import annotations

from custom_components.gsm_gateway import dispatch, failover, inbox, webhook
from custom_components.gsm_gateway.client import limits, transport
from custom_components.gsm_gateway.client.ejoin import send as ejoin_send

from .report import Section


def _size(n_bytes: int) -> str:
    return f"{n_bytes // 1024 // 1024} MiB" if n_bytes >= 1024 * 1024 else f"{n_bytes // 1024} KiB"


def limits_section() -> Section:
    """One row per limit: what is bounded, the bound, and what happens beyond it."""
    rows = [
        (
            "body of one push",
            _size(webhook.MAX_PUSH_BYTES),
            "refused (413)",
        ),
        (
            "time to receive a push's body",
            f"{webhook.READ_TIMEOUT:.0f} s",
            "cut off (408)",
        ),
        (
            "pushes handled at once, per gateway",
            f"{webhook.MAX_CONCURRENT_PUSHES}",
            "refused (503); the catch-up poll reads their messages",
        ),
        (
            "push parsed in the event loop",
            _size(webhook.INLINE_PARSE_BYTES),
            "parsed in a worker thread",
        ),
        (
            "messages or reports in one push",
            f"{limits.MAX_ROWS_PER_PUSH:,}",
            "push refused (400), one rate-limited warning",
        ),
        (
            "status rows in one push or poll",
            f"{limits.MAX_STATUS_ROWS:,}",
            "refused (a 64 x 32 SIM bank has 2,048)",
        ),
        (
            "JSON values in one push",
            f"{limits.MAX_JSON_TOKENS:,}",
            "push refused (400)",
        ),
        (
            "MIME parts of an MMS (nesting depth)",
            f"{limits.MAX_MIME_PARTS} ({limits.MAX_MIME_DEPTH})",
            "push refused (400)",
        ),
        (
            "text of one message",
            f"{limits.MAX_TEXT_CHARS:,} characters",
            "cut, with a marker saying so",
        ),
        (
            "message text in an event (other fields)",
            f"{dispatch.LONG_FIELD_MAX:,} ({dispatch.SHORT_FIELD_MAX}) characters",
            "cut; control characters removed",
        ),
        (
            "long SMS waiting for their parts",
            f"{inbox.MAX_WAITING_MESSAGES} messages of up to {inbox.MAX_PARTS} parts",
            "the oldest fires with the parts it has (`incomplete: true`)",
        ),
        (
            "message ids remembered per gateway",
            f"{inbox.SEEN_LIMIT:,}",
            "the oldest are forgotten (a device re-listing more than that would repeat them)",
        ),
        (
            "segments of one SMS (Skyline/EJOIN)",
            f"{ejoin_send.MAX_SEGMENTS}",
            "translated error before sending",
        ),
        (
            "recipients per request (Skyline/EJOIN)",
            f"{ejoin_send.MAX_RECIPIENTS_PER_REQUEST}",
            "split into several requests",
        ),
        (
            "recipients of one send with failover",
            f"{failover.MAX_RECIPIENTS}",
            "translated error before sending",
        ),
        (
            "requests in flight, per gateway",
            f"{transport.MAX_IN_FLIGHT}",
            "the others wait their turn",
        ),
        (
            "USSD codes waiting for a reply, per port",
            "1",
            "translated error (the replies do not say which code they answer)",
        ),
    ]
    return Section(
        title="Limits",
        summary=(
            "What one push or one action may cost is bounded, so that a hostile or broken sender cannot freeze Home "
            "Assistant or grow its memory. The values are read from the code; why each bound is where it is, is "
            "written beside its constant (`client/limits.py` for what a push may hold, `webhook.py`, `inbox.py`, "
            "`dispatch.py`, `client/ejoin/send.py`, `failover.py`, `client/transport.py`)."
        ),
        rows=[{"what is bounded": what, "bound": bound, "beyond it": beyond} for what, bound, beyond in rows],
    )
