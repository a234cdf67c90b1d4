"""Port and slot notation shared by every dialect (`client/ports.py`)."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.gsm_gateway.client.ports import (
    MAX_PORT,
    MAX_SLOT,
    SlotRef,
    canonical_label,
    format_selector,
    parse_label,
    parse_selector,
    ref_from_sim_index,
    sim_index,
    slot_letter,
    slot_number,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1A", SlotRef(1, 1)),
        ("1a", SlotRef(1, 1)),
        (" 01A ", SlotRef(1, 1)),
        ("1.01", SlotRef(1, 1)),
        ("1.1", SlotRef(1, 1)),
        ("32.04", SlotRef(32, 4)),
        ("6A", SlotRef(6, 1)),
        ("1(A)", SlotRef(1, 1)),
        ("1.A", SlotRef(1, 1)),
        ("2 B", SlotRef(2, 2)),
        ("7AF", SlotRef(7, 32)),  # slot letters run past D: 32 slots per port
        ("7.32", SlotRef(7, 32)),
        ("5", SlotRef(5)),
        (5, SlotRef(5)),
        ("3(-1)", SlotRef(3, 1)),
        # SIM-bank pool forms: port, pool position (bank or board), slot; the pool position is not part of it
        ("1.01.02", SlotRef(1, 2)),
        ("3.02.17", SlotRef(3, 17)),
        ("64.04.32", SlotRef(64, 32)),
        (" 064.4.032 ", SlotRef(64, 32)),
        ("2.1.3.04", SlotRef(2, 4)),
    ],
)
def test_every_known_notation(raw: object, expected: SlotRef) -> None:
    assert parse_label(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        *("", "A1", "P1-07", "0", "0A", "1.00", "1.99", "1ZZ", "99999", "1-A", None, True, 1.5, 0, [1], "*"),
        *("1.01.", ".1.01", "1..01", "1.01.00", "0.01.01", "1.01.99", "1.2.3.4.5.6", "1.01.A", "pool-7"),
    ],
)
def test_unknown_notations_are_none_never_an_exception(raw: object) -> None:
    assert parse_label(raw) is None


def test_canonical_labels() -> None:
    assert canonical_label("1.01") == "1A"
    assert canonical_label("2.02") == "2B"
    assert canonical_label(" 1.01.02 ") == "1B"  # a SIM-bank pool form
    assert canonical_label(" P1-07 ") == "P1-07"  # unknown: the stripped raw text is kept
    assert canonical_label(12) == "12"
    assert SlotRef(1, 1).label == "1A"
    assert SlotRef(1, 1).dotted == "1.01"
    assert SlotRef(4).dotted == "4.01"
    assert str(SlotRef(7, 27)) == "7AA"
    assert SlotRef(3).with_slot(2) == SlotRef(3, 2)


def test_slot_letters() -> None:
    assert [slot_letter(n) for n in (1, 4, 26, 27, 32, 52, 53)] == ["A", "D", "Z", "AA", "AF", "AZ", "BA"]
    assert [slot_number(text) for text in ("A", "d", "Z", "AA", "AF")] == [1, 4, 26, 27, 32]
    with pytest.raises(ValueError, match=">= 1"):
        slot_letter(0)
    for bad in ("", "A1", "Ä"):
        with pytest.raises(ValueError, match="A-Z"):
            slot_number(bad)


def test_refs_reject_impossible_numbers() -> None:
    with pytest.raises(ValueError, match="port"):
        SlotRef(0)
    with pytest.raises(ValueError, match="port"):
        SlotRef(MAX_PORT + 1)
    with pytest.raises(ValueError, match="slot"):
        SlotRef(1, 0)
    with pytest.raises(ValueError, match="slot"):
        SlotRef(1, MAX_SLOT + 1)


def test_selectors_with_every_form() -> None:
    refs = parse_selector("1A, 2B,4-6,8", port_count=32, slot_count=4)
    assert refs == [SlotRef(1, 1), SlotRef(2, 2), SlotRef(4), SlotRef(5), SlotRef(6), SlotRef(8)]
    assert parse_selector("all", port_count=3) == [SlotRef(1), SlotRef(2), SlotRef(3)]
    assert parse_selector("*,2", port_count=2) == [SlotRef(1), SlotRef(2)]  # duplicates removed
    assert parse_selector("1A,2B,4-32,all", port_count=32, slot_count=4)[:3] == [
        SlotRef(1, 1),
        SlotRef(2, 2),
        SlotRef(4),
    ]
    assert parse_selector("1.02, ,", port_count=2, slot_count=2) == [SlotRef(1, 2)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0-3", "outside 1-8"),
        ("5-2", "outside 1-8"),
        ("4-9", "outside 1-8"),
        ("9", "does not exist"),
        ("1E", "does not exist"),
        ("x", "is not a port"),
        ("1A-4A", "is not a port"),
    ],
)
def test_bad_selectors_name_the_item(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_selector(text, port_count=8, slot_count=4)
    assert repr(text.strip()) in str(caught.value)


def test_format_selector_folds_whole_ports_into_ranges() -> None:
    refs = [SlotRef(1, 1), SlotRef(2, 2), SlotRef(3, 3), *(SlotRef(port) for port in range(4, 33))]
    assert format_selector(refs) == "1A,2B,3C,4-32"
    assert format_selector([SlotRef(6), SlotRef(1), SlotRef(2), SlotRef(4), SlotRef(2)]) == "1-2,4,6"
    assert format_selector([]) == ""


def test_format_selector_accepts_any_iterable() -> None:
    # Regression: the iterable was read twice, so a generator lost every slot reference.
    refs = (ref for ref in [SlotRef(1, 1), SlotRef(2), SlotRef(3)])
    assert format_selector(refs) == "1A,2-3"


def test_sim_index_formula() -> None:
    assert sim_index(SlotRef(6, 2), 4) == 21  # the v2.4 summary's example: 6B with 4 slots
    assert sim_index(SlotRef(13, 4), 4) == 51
    assert sim_index(SlotRef(22, 1), 1) == 21
    assert sim_index(SlotRef(25, 5), 8) == 196
    assert sim_index(SlotRef(22), 1) == 21  # a whole port is its first slot
    assert ref_from_sim_index(21, 4) == SlotRef(6, 2)
    with pytest.raises(ValueError, match="does not exist"):
        sim_index(SlotRef(1, 5), 4)
    with pytest.raises(ValueError, match="does not exist"):
        sim_index(SlotRef(1, 1), 0)
    with pytest.raises(ValueError, match="positive"):
        ref_from_sim_index(-1, 4)


@given(st.integers(1, MAX_PORT), st.integers(1, MAX_SLOT))
def test_both_notations_round_trip(port: int, slot: int) -> None:
    ref = SlotRef(port, slot)
    assert parse_label(ref.label) == ref
    assert parse_label(ref.dotted) == ref


@given(st.integers(1, 64), st.integers(1, 32), st.data())
def test_sim_index_round_trips(ports: int, slots: int, data: st.DataObject) -> None:
    ref = SlotRef(data.draw(st.integers(1, ports)), data.draw(st.integers(1, slots)))
    assert ref_from_sim_index(sim_index(ref, slots), slots) == ref


@given(st.sets(st.integers(1, 64), min_size=1))
def test_selector_round_trip_for_whole_ports(ports: set[int]) -> None:
    text = format_selector(SlotRef(port) for port in ports)
    assert parse_selector(text, port_count=64) == [SlotRef(port) for port in sorted(ports)]


@given(st.text(max_size=12))
def test_arbitrary_text_never_crashes(text: str) -> None:
    ref = parse_label(text)
    assert ref is None or isinstance(ref, SlotRef)
    assert isinstance(canonical_label(text), str)
