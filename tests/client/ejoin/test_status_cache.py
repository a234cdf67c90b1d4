"""The status row cache at SIM-bank size: 2,048 rows read again and again, polled and pushed, give what a fresh parse
gives, and unchanged ports and slots keep their objects (which is what lets Home Assistant skip them)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.gsm_gateway.client.ejoin import EjoinGateway
from custom_components.gsm_gateway.client.ejoin.parse import RowCache, parse_gateway_status
from custom_components.gsm_gateway.client.events import DeviceStatusEvent, PushRequest
from custom_components.gsm_gateway.client.exceptions import GatewayResponseError
from custom_components.gsm_gateway.client.models import ConnectionSettings, GatewayStatus, SimState
from simulator.ejoin import EjoinSimulator

PORTS, SLOTS = 64, 32


@pytest.fixture(scope="module")
def bank() -> EjoinSimulator:
    """A 64 x 32 SIM bank, not started: its answers are built directly."""
    simulator = EjoinSimulator(ports=PORTS, slots=SLOTS, seed=7)
    simulator.variants.add("label_pool")
    return simulator


def answer(sim: EjoinSimulator, *, all_slots: bool = True) -> dict[str, Any]:
    """What `goip_get_status.html?all_sims=1` answers now, as `json.loads` gives it (fresh objects every time)."""
    loaded: dict[str, Any] = json.loads(json.dumps(sim.dev_status(all_slots=all_slots)))
    return loaded


def test_an_unchanged_answer_is_the_same_status(bank: EjoinSimulator) -> None:
    cache = RowCache()
    first = parse_gateway_status(answer(bank), cache=cache)
    assert sum(len(port.slots) for port in first.ports.values()) == PORTS * SLOTS
    second = parse_gateway_status(answer(bank), cache=cache)
    assert second == first
    assert second.ports is first.ports  # recognised whole: not one row read again


def test_the_device_fields_are_read_again_when_the_rows_did_not_change(bank: EjoinSimulator) -> None:
    cache = RowCache()
    parse_gateway_status(answer(bank), cache=cache)
    body = answer(bank)
    body["ver"] = "532-604-924-041-100-999"
    assert parse_gateway_status(body, cache=cache).device.firmware == "532-604-924-041-100-999"


def test_one_changed_row_makes_one_new_port_and_one_new_slot(bank: EjoinSimulator) -> None:
    cache = RowCache()
    first = parse_gateway_status(answer(bank), cache=cache)
    port = bank.ports[40]
    before = port.signal
    port.signal = 3 if before != 3 else 4
    try:
        second = parse_gateway_status(answer(bank), cache=cache)
        assert second == parse_gateway_status(answer(bank))  # what a fresh parse gives
    finally:
        port.signal = before
    changed = [number for number in first.ports if second.ports[number] is not first.ports[number]]
    assert changed == [41]
    new_slots = [n for n, slot in second.ports[41].slots.items() if slot is not first.ports[41].slots[n]]
    assert new_slots == [second.ports[41].active_slot]
    # Back to the earlier reading: the row is known by its content, and its earlier object comes back.
    third = parse_gateway_status(answer(bank), cache=cache)
    assert third.ports[41].active is first.ports[41].active


def test_pushed_statuses_are_remembered_too(bank: EjoinSimulator) -> None:
    """A `dev-status` push of every slot, or of the active slots (what the device sends), repeated unchanged."""
    gateway = EjoinGateway(None, ConnectionSettings(host="192.0.2.1", username="root", password="pw"))
    for all_slots in (True, False):
        body = json.dumps(bank.dev_status(all_slots=all_slots)).encode()
        request = PushRequest(body=body, content_type="application/json")
        (first,) = gateway.parse_push(request)
        (second,) = gateway.parse_push(request)
        assert isinstance(first, DeviceStatusEvent)
        assert isinstance(second, DeviceStatusEvent)
        assert second.status.ports is first.status.ports
        assert second.status == parse_gateway_status(json.loads(body))


def test_pushes_parsed_in_threads_at_once_stay_right(bank: EjoinSimulator) -> None:
    """Big pushes are parsed in worker threads; the pushed-row cache is shared by one gateway's pushes."""
    gateway = EjoinGateway(None, ConnectionSettings(host="192.0.2.1", username="root", password="pw"))
    bodies = []
    for signal in (5, 6, 7, 8):
        bank.ports[0].signal = signal
        bodies.append(json.dumps(bank.dev_status(all_slots=True)).encode())
    expected = [parse_gateway_status(json.loads(body)) for body in bodies]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            results = list(
                pool.map(
                    lambda body: gateway.parse_push(PushRequest(body=body, content_type="application/json")), bodies
                )
            )
            statuses = [event.status for (event,) in results if isinstance(event, DeviceStatusEvent)]
            assert statuses == expected


def test_a_malformed_answer_leaves_the_cache_usable(bank: EjoinSimulator) -> None:
    cache = RowCache()
    good = parse_gateway_status(answer(bank), cache=cache)
    broken = answer(bank)
    broken["status"][100] = ["not", "a", "row"]
    with pytest.raises(GatewayResponseError):
        parse_gateway_status(broken, cache=cache)
    assert parse_gateway_status(answer(bank), cache=cache) == good


# --- any sequence of answers --------------------------------------------------------------------------------

SMALL_PORTS, SMALL_SLOTS = 4, 3
CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["signal", "lock", "remove", "insert", "status", "switch", "reorder", "drop", "active_only"]),
        st.integers(1, SMALL_PORTS),
        st.integers(1, SMALL_SLOTS),
        st.integers(0, 31),
    ),
    min_size=1,
    max_size=12,
)


def mutate(sim: EjoinSimulator, change: tuple[str, int, int, int]) -> tuple[bool, str | None]:
    """One change on the device; returns (all slots listed?, what to do with the rows)."""
    kind, port_number, slot, value = change
    port = sim.ports[port_number - 1]
    match kind:
        case "signal":
            port.signal = value
        case "lock":
            port.slot(slot).locked = not port.slot(slot).locked
        case "remove" | "insert":
            sim.set_sim_present(port_number, slot, present=kind == "insert")
        case "status":
            port.slot(slot).status = [1, 2, 3, 5, 6][value % 5]
        case "switch":
            port.active = slot
    return kind != "active_only", kind if kind in {"reorder", "drop"} else None


@settings(max_examples=60, deadline=None)
@given(CHANGES)
def test_any_sequence_of_answers_parses_as_a_fresh_parse_would(changes: list[tuple[str, int, int, int]]) -> None:
    sim = EjoinSimulator(ports=SMALL_PORTS, slots=SMALL_SLOTS, seed=3)
    cache = RowCache()
    previous: GatewayStatus | None = None
    for change in changes:
        all_slots, rows = mutate(sim, change)
        body = answer(sim, all_slots=all_slots)
        if rows == "reorder":
            body["status"].reverse()
        elif rows == "drop":
            del body["status"][change[1] - 1]
        cached = parse_gateway_status(body, cache=cache)
        fresh = parse_gateway_status(json.loads(json.dumps(body)))
        assert cached == fresh
        if previous is not None:
            for number, port in cached.ports.items():
                old = previous.ports.get(number)
                if old is not None and old == port:
                    assert old is port  # an unchanged port keeps its object
        previous = cached
        assert all(slot.state is not SimState.UNKNOWN for port in cached.ports.values() for slot in port.slots.values())
