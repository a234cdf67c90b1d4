"""Small pure pieces: encodings, state mapping, port numbering, inbox selection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.gsm_gateway.client.exceptions import GatewayRequestError
from custom_components.gsm_gateway.client.models import Encoding, IncomingSms, SimState
from custom_components.gsm_gateway.client.ports import SlotRef
from custom_components.gsm_gateway.client.synway.codes import (
    connect_state_text,
    port_state_text,
    send_status_text,
    sim_state,
)
from custom_components.gsm_gateway.client.synway.encoding import choose_encoding, gsm7_length, ucs2_length
from custom_components.gsm_gateway.client.synway.inbox import (
    Candidate,
    InboxCursor,
    message_id,
    select_new,
    with_occurrences,
)
from custom_components.gsm_gateway.client.synway.models import SynwaySendTask
from custom_components.gsm_gateway.client.synway.ports import PortNumbering, detect_base, raw_label, slot_to_number

# --- encodings ------------------------------------------------------------------------------------------------


def test_gsm7_lengths() -> None:
    assert gsm7_length("Hello @£$") == 9
    assert gsm7_length("[€]") == 6
    assert gsm7_length("ж") is None
    assert ucs2_length("a😀") == 3


def test_auto_picks_gsm7_when_possible() -> None:
    assert choose_encoding("abc", Encoding.AUTO).wire_code == "0"
    assert choose_encoding("abc", Encoding.UCS2).wire_code == "8"
    assert choose_encoding("ж", Encoding.AUTO).wire_code == "8"
    with pytest.raises(GatewayRequestError):
        choose_encoding("ж", Encoding.GSM7)


# --- codes ------------------------------------------------------------------------------------------------------


def test_code_texts() -> None:
    assert port_state_text(3) == "Talking"
    assert port_state_text(8) == "code 8"
    assert port_state_text(None) == "not reported"
    assert connect_state_text(5) == "Roaming"
    assert connect_state_text(None) == "not reported"
    assert connect_state_text(42) == "code 42"
    assert send_status_text(4) == "Failed"
    assert send_status_text(9) == "code 9"


@pytest.mark.parametrize(
    ("port_state", "connect_state", "has_sim", "expected"),
    [
        (0, 1, True, SimState.REGISTERED),
        (9, 5, True, SimState.IN_CALL),
        (None, 1, False, SimState.REGISTERED),
        (0, 0, False, SimState.NO_SIM),
        (11, 0, True, SimState.POWER_OFF),
        (None, None, True, SimState.UNKNOWN),
    ],
)
def test_sim_state(port_state: int | None, connect_state: int | None, has_sim: bool, expected: SimState) -> None:
    assert sim_state(port_state, connect_state, has_sim=has_sim) is expected


# --- ports ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "ports", "base"),
    [
        (4, [0, 1, 2, 3], 0),
        (4, [1, 2, 3, 4], 1),
        (4, [0, 3], 0),
        (4, [1, 4], 1),
        (4, [2, 3], None),
        (4, [0, 4], None),
        (4, [], None),
        (0, [0], None),
        (1, [0], 0),
        (1, [1], 1),
    ],
)
def test_detect_base(count: int, ports: list[int], base: int | None) -> None:
    assert detect_base(count, ports) == base


def test_numbering_round_trip_and_refs() -> None:
    zero = PortNumbering(0)
    assert zero.to_wire(1) == 0
    assert zero.from_wire(0) == 1
    assert zero.from_wire(-1) is None
    assert zero.wire_list([1, 2, 4]) == "0,1,3"
    assert zero.ref(3, "C") == SlotRef(4, 3)
    assert zero.ref(3, None) == SlotRef(4, 1)
    assert zero.ref(3, "4") == SlotRef(4, 4)
    assert zero.ref(3, "65") is None
    assert zero.ref(3, "-") is None
    assert PortNumbering(1).ref(0, "A") is None
    assert slot_to_number("D") == 4
    assert raw_label(9, None) == "9(-1)"


# --- inbox selection -----------------------------------------------------------------------------------------


def candidate(second: int, text: str, occurrence: int = 1) -> Candidate:
    stamp = datetime(2024, 1, 1, 12, 0, second)  # noqa: DTZ001
    return Candidate(
        stamp=stamp,
        sms=IncomingSms(
            message_id=message_id(stamp, "1A", "10086", text, occurrence),
            port_label="1A",
            ref=SlotRef(1, 1),
            sender="10086",
            text=text,
            received_at=stamp.replace(tzinfo=UTC),
        ),
    )


def test_message_id_depends_on_every_field() -> None:
    stamp = datetime(2024, 1, 1)  # noqa: DTZ001
    base = message_id(stamp, "1A", "x", "y")
    assert base == message_id(stamp, "1A", "x", "y", 1)
    assert len({base, message_id(stamp, "1B", "x", "y"), message_id(stamp, "1A", "z", "y")}) == 3
    assert base != message_id(stamp, "1A", "x", "y", 2)
    assert base != message_id(stamp + timedelta(seconds=1), "1A", "x", "y")


def test_occurrences() -> None:
    key = (datetime(2024, 1, 1), "1A", "x", "y")  # noqa: DTZ001
    other = (datetime(2024, 1, 1), "1A", "x", "z")  # noqa: DTZ001
    assert with_occurrences([key, other, key, key]) == [1, 1, 2, 3]


def test_cursor_json_round_trip() -> None:
    cursor = InboxCursor(since=datetime(2024, 1, 1, 12), seen=frozenset({"b", "a"}))  # noqa: DTZ001
    assert cursor.to_json() == {"v": 1, "since": "20240101120000", "seen": ["a", "b"]}
    assert InboxCursor.from_json(cursor.to_json()) == cursor
    assert InboxCursor.from_json(None) == InboxCursor()


def test_selection_prunes_seen_ids_outside_the_next_window() -> None:
    overlap = timedelta(seconds=10)
    old, mid, new = candidate(0, "old"), candidate(15, "mid"), candidate(30, "new")
    first = select_new([old, mid], InboxCursor(), overlap, limit=10)
    assert [m.text for m in first.messages] == ["old", "mid"]
    assert first.cursor.seen == {mid.sms.message_id}  # "old" is before since - overlap
    second = select_new([old, mid, new], first.cursor, overlap, limit=10)
    assert [m.text for m in second.messages] == ["new"]
    assert second.cursor.since == new.stamp
    assert second.cursor.seen == {new.sms.message_id}


def test_limit_zero_returns_nothing_and_no_more() -> None:
    selection = select_new([candidate(0, "x")], InboxCursor(), timedelta(seconds=5), limit=0)
    assert (selection.messages, selection.more, selection.cursor.since) == ((), False, None)


def test_send_task_without_entries_is_not_finished() -> None:
    assert not SynwaySendTask(task_id="1", user_id=None, count=0, entries=()).finished


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 59), st.sampled_from(["a", "b", "c"])), max_size=25),
    st.integers(1, 6),
    st.integers(1, 5),
)
def test_polling_delivers_every_message_exactly_once(arrivals: list[tuple[int, str]], limit: int, batches: int) -> None:
    """Messages arrive in batches with non-decreasing stamps; polling in between delivers each once."""
    overlap = timedelta(seconds=60)
    device: list[Candidate] = []
    delivered: list[str] = []
    cursor = InboxCursor()
    arrivals = sorted(arrivals)
    step = max(1, len(arrivals) // batches)
    for start in range(0, len(arrivals) + step, step):
        for second, text in arrivals[start : start + step]:
            keys = [(c.stamp, c.sms.port_label, c.sms.sender, c.sms.text) for c in device]
            stamp = datetime(2024, 1, 1, 12, 0, second)  # noqa: DTZ001
            occurrence = keys.count((stamp, "1A", "10086", text)) + 1
            device.append(candidate(second, text, occurrence))
        for _ in range(len(device) + 2):
            selection = select_new(device, cursor, overlap, limit)
            delivered.extend(m.message_id for m in selection.messages)
            cursor = selection.cursor
            if not selection.more:
                break
    assert sorted(delivered) == sorted(c.sms.message_id for c in device)
