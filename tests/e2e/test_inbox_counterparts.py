"""A push without the device's time and its polled copy are one message; two pushes (or two rows) stay two."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.gsm_gateway.client.models import IncomingSms
from custom_components.gsm_gateway.inbox import COUNTERPART_WINDOW, Inbox, ReceivedMessage


def sms(message_id: str, *, exact: bool, text: str = "ALARM") -> IncomingSms:
    return IncomingSms(
        message_id=message_id,
        port_label="1A",
        ref=None,
        sender="+4917011",
        text=text,
        received_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        time_exact=exact,
    )


def inbox(hass: HomeAssistant) -> tuple[Inbox, list[ReceivedMessage]]:
    fired: list[ReceivedMessage] = []
    return Inbox(hass, "entry", gateway=None, deliver=fired.append), fired  # type: ignore[arg-type]


async def test_push_then_poll_fires_once(hass: HomeAssistant) -> None:
    box, fired = inbox(hass)
    assert box.async_receive(sms("push-1", exact=False))
    assert not box.async_receive(sms("row-1", exact=True))
    assert [m.message_id for m in fired] == ["push-1"]
    assert box.is_seen("row-1")


async def test_poll_then_push_fires_once(hass: HomeAssistant) -> None:
    box, fired = inbox(hass)
    assert box.async_receive(sms("row-1", exact=True))
    assert not box.async_receive(sms("push-1", exact=False))
    assert len(fired) == 1


async def test_identical_messages_are_each_delivered(hass: HomeAssistant) -> None:
    box, fired = inbox(hass)
    # Two alarms with the same text: two pushes, later two polled rows.
    assert box.async_receive(sms("push-1", exact=False))
    assert box.async_receive(sms("push-2", exact=False))
    assert not box.async_receive(sms("row-1", exact=True))
    assert not box.async_receive(sms("row-2", exact=True))
    # A third alarm that was not pushed (lost): its row fires.
    assert box.async_receive(sms("row-3", exact=True))
    assert len(fired) == 3


async def test_counterparts_match_only_within_the_window(hass: HomeAssistant, freezer: object) -> None:
    box, fired = inbox(hass)
    assert box.async_receive(sms("push-1", exact=False))
    freezer.tick(COUNTERPART_WINDOW + timedelta(seconds=1))  # type: ignore[attr-defined]
    assert box.async_receive(sms("row-1", exact=True))
    assert len(fired) == 2


async def test_unmatched_copies_survive_a_restart(hass: HomeAssistant) -> None:
    box, _ = inbox(hass)
    assert box.async_receive(sms("push-1", exact=False))
    await box.async_save_now()
    again, fired_again = inbox(hass)
    await again.async_load()
    assert not again.async_receive(sms("row-1", exact=True))
    assert fired_again == []


async def test_unmatched_copies_written_by_an_earlier_version_still_match(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Earlier versions stored the arrival as ISO 8601 text; after an upgrade the waiting copy still matches."""
    box, _ = inbox(hass)
    assert box.async_receive(sms("push-1", exact=False))
    await box.async_save_now()
    stored = hass_storage["gsm_gateway.entry.inbox"]["data"]
    stored["unmatched"] = {
        key: [[datetime.fromtimestamp(at, UTC).isoformat(), exact] for at, exact in entries]
        for key, entries in stored["unmatched"].items()
    }
    again, fired_again = inbox(hass)
    await again.async_load()
    assert not again.async_receive(sms("row-1", exact=True))
    assert fired_again == []
