"""Pushed statuses merged into the polled one (`receiver.PushedStatus`), slot by slot, keeping unchanged objects."""

from __future__ import annotations

from typing import Any

from custom_components.gsm_gateway.client.ejoin.parse import parse_gateway_status, parse_slot_row
from custom_components.gsm_gateway.client.models import GatewayStatus, SimState
from custom_components.gsm_gateway.receiver import PushedStatus


def status(*rows: dict[str, Any], ports: int = 2, slots: int = 3) -> GatewayStatus:
    """A status of `rows` (`{"port": "1A", "st": 3, ...}`) on a gateway of `ports` x `slots`."""
    body = {"type": "dev-status", "mac": "00-30-f1-01-02-03", "max-ports": ports, "max-slots": slots}
    return parse_gateway_status({**body, "status": list(rows)})


POLLED = status(
    {"port": "1A", "st": 3, "sig": 20},
    {"port": "1B", "st": 1},
    {"port": "1C", "st": 0},
    {"port": "2A", "st": 3, "sig": 9},
    {"port": "2B", "st": 1},
    {"port": "2C", "st": 1},
)


def test_an_unchanged_push_gives_the_polled_status_itself() -> None:
    merger = PushedStatus()
    assert merger.merge(POLLED, status({"port": "1A", "st": 3, "sig": 20}, {"port": "2A", "st": 3, "sig": 9})) is POLLED
    assert merger.merge(POLLED, status()) is POLLED  # a push without rows


def test_a_push_of_the_active_slots_keeps_the_others() -> None:
    merged = PushedStatus().merge(POLLED, status({"port": "1A", "st": 3, "sig": 5}))
    assert merged.ports[2] is POLLED.ports[2]
    port = merged.ports[1]
    assert port.slots[1].signal == 5
    assert port.slots[2] is POLLED.ports[1].slots[2]
    assert port.slots[3] is POLLED.ports[1].slots[3]
    assert port.active_slot == 1


def test_the_active_slot_moves_with_a_push() -> None:
    """Port 1 now uses slot B: the slot it used before is no longer active."""
    merged = PushedStatus().merge(POLLED, status({"port": "1B", "st": 3, "sig": 12}))
    port = merged.ports[1]
    assert port.active_slot == 2
    assert port.slots[2].active
    assert not port.slots[1].active
    assert port.state is SimState.REGISTERED


def test_a_push_of_every_slot_without_one_in_use_leaves_none_active() -> None:
    pushed = status({"port": "1A", "st": 12}, {"port": "1B", "st": 1}, {"port": "1C", "st": 0})
    port = PushedStatus().merge(POLLED, pushed).ports[1]
    assert port.active_slot is None
    assert port.state is SimState.USER_LOCKED


def test_a_push_cannot_reshape_the_gateway() -> None:
    """Ports and slots the gateway does not have are left out; so are equal slots pushed again."""
    merger = PushedStatus()
    pushed = status({"port": "3A", "st": 3}, {"port": "1D", "st": 3, "sig": 1}, ports=3, slots=4)
    assert merger.merge(POLLED, pushed) is POLLED
    assert merger.merge(POLLED, pushed) is POLLED


def test_a_pushed_slot_seen_before_is_known_without_comparing() -> None:
    merger = PushedStatus()
    pushed = status({"port": "2B", "st": 12})
    first = merger.merge(POLLED, pushed)
    assert first.ports[2].slots[2].state is SimState.USER_LOCKED
    assert merger.merge(first, pushed) is first  # the same pushed slot onto the status it made


def test_one_pushed_slot() -> None:
    merger = PushedStatus()
    locked = parse_slot_row({"port": "2A", "st": 12}, active=False)
    merged = merger.merge_slot(POLLED, locked)
    assert merged.ports[2].active_slot is None
    assert merged.ports[2].slots[1].state is SimState.USER_LOCKED
    assert merger.merge_slot(merged, locked) is merged
    again = merger.merge_slot(merged, parse_slot_row({"port": "2C", "st": 3}, active=True))
    assert again.ports[2].active_slot == 3
    unchanged = parse_slot_row({"port": "1B", "st": 1}, active=False)
    assert merger.merge_slot(POLLED, unchanged) is POLLED
    for unknown in ({"port": "9A", "st": 3}, {"port": "1D", "st": 3}, {"port": "x", "st": 3}):
        assert merger.merge_slot(POLLED, parse_slot_row(unknown, active=True)) is POLLED
