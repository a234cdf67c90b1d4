"""The in-memory ring of recent SMS the assistants' read tool uses: bounded per port, newest first, cleaned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.gsm_gateway.client import SlotRef
from custom_components.gsm_gateway.inbox import ReceivedMessage
from custom_components.gsm_gateway.recent import RecentMessages

START = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def message(port: int | None, text: str, minute: int = 0, sender: str = "+491701234567") -> ReceivedMessage:
    return ReceivedMessage(
        message_id=text,
        port_label=f"{port}A",
        ref=None if port is None else SlotRef(port, 1),
        sender=sender,
        recipient="",
        text=text,
        received_at=START + timedelta(minutes=minute),
        smsc=None,
    )


def texts(recent: RecentMessages, ports: list[int], limit: int = 10) -> list[str]:
    return [sms.text for sms in recent.latest(ports, limit)]


def test_each_port_keeps_its_last_messages_only() -> None:
    recent = RecentMessages(limit=3)
    for n in range(5):
        recent.async_add(message(1, f"one {n}", n))
    recent.async_add(message(2, "two", 10))
    assert texts(recent, [1]) == ["one 4", "one 3", "one 2"]
    assert texts(recent, [1, 2]) == ["two", "one 4", "one 3", "one 2"]
    assert texts(recent, [1, 2], limit=2) == ["two", "one 4"]
    assert texts(recent, [3]) == []


def test_newest_by_received_time_then_by_arrival() -> None:
    recent = RecentMessages()
    recent.async_add(message(1, "later", 5))
    recent.async_add(message(2, "earlier, caught up afterwards", 1))
    recent.async_add(message(1, "same minute, second", 5))
    assert texts(recent, [1, 2]) == ["same minute, second", "later", "earlier, caught up afterwards"]


def test_messages_of_an_unknown_port_are_not_kept() -> None:
    recent = RecentMessages()
    recent.async_add(message(None, "nowhere"))
    assert texts(recent, [1, 2, 3, 4]) == []


def test_fields_are_cleaned_like_the_event() -> None:
    recent = RecentMessages()
    recent.async_add(message(1, "code\x1b[31m 1234\nbye", sender="Bank\x07"))
    (sms,) = recent.latest([1], 1)
    assert sms.text == "code[31m 1234\nbye"
    assert sms.sender == "Bank"
    assert sms.port == 1
