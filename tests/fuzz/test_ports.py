"""Port notation: any label reads as a valid reference or as "unknown", and every notation round-trips.

`parse_label` reads device payloads and must never raise. `parse_selector` reads what a user typed and raises
`ValueError` naming the bad item (its documented contract; actions turn it into a translated error).
"""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given, strategies as st

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
)

from .strategies import JSON_VALUES, WIRE_TEXT

REFS = st.builds(SlotRef, st.integers(1, MAX_PORT), st.none() | st.integers(1, MAX_SLOT))
LABEL_LIKE = st.from_regex(r"\s?0*\d{1,5}\s?(\(?\.?[A-Za-z]{1,3}\)?|(\.\d{1,4}){1,6}|\(\s?-1\s?\))?\s?", fullmatch=True)


@given(LABEL_LIKE | WIRE_TEXT | JSON_VALUES)
def test_any_label_reads_as_a_valid_reference_or_none(raw: Any) -> None:
    ref = parse_label(raw)
    assert ref is None or (1 <= ref.port <= MAX_PORT and (ref.slot is None or 1 <= ref.slot <= MAX_SLOT))
    label = canonical_label(raw)
    assert isinstance(label, str)
    if ref is not None:
        assert label == ref.label
        assert parse_label(label) == ref  # the canonical form reads back the same


@given(REFS)
def test_every_notation_round_trips(ref: SlotRef) -> None:
    assert parse_label(ref.label) == ref
    assert parse_label(f" {ref.label} ") == ref
    if ref.slot is not None:
        assert parse_label(f"{ref.port}({ref.label.removeprefix(str(ref.port))})") == ref
        if ref.slot <= 999:
            assert parse_label(ref.dotted) == ref


@given(REFS, st.lists(st.integers(0, 9999), min_size=1, max_size=3), st.integers(0, 2))
def test_pool_forms_read_as_port_and_slot(ref: SlotRef, pool: list[int], padding: int) -> None:
    """A SIM-bank label `port.<pool position>.slot` is the port's slot, whatever the pool position and padding."""
    slot = ref.slot or 1
    if slot > 999:
        return
    raw = ".".join([f"{ref.port:0{padding + 1}d}", *(str(number) for number in pool), f"{slot:0{padding + 1}d}"])
    parsed = parse_label(raw)
    assert parsed == SlotRef(ref.port, slot)
    assert canonical_label(raw) == parsed.label
    assert parse_label(parsed.label) == parsed


@given(
    st.lists(
        st.sampled_from(["all", "*", "1A", "2.02", "4-8", "0", "33", "8-4", "x", "", " ", "1ZZ"]) | LABEL_LIKE,
        max_size=6,
    ).map(",".join),
    st.integers(1, 64),
    st.integers(1, 8),
)
def test_selectors_expand_within_the_gateway_or_name_the_bad_item(text: str, ports: int, slots: int) -> None:
    refs: list[SlotRef] = []
    with contextlib.suppress(ValueError):
        refs = parse_selector(text, port_count=ports, slot_count=slots)
    assert len(refs) == len(set(refs))
    assert all(ref.port <= ports and (ref.slot or 1) <= slots for ref in refs)


@given(st.lists(st.builds(SlotRef, st.integers(1, 64), st.none() | st.integers(1, 8)), max_size=20))
def test_formatted_selectors_read_back_the_same(refs: list[SlotRef]) -> None:
    text = format_selector(refs)
    assert set(parse_selector(text, port_count=64, slot_count=8)) == set(refs)


@given(st.builds(SlotRef, st.integers(1, 64), st.integers(1, 8)), st.integers(1, 8))
def test_sim_index_inverts(ref: SlotRef, slots: int) -> None:
    if ref.slot is not None and ref.slot > slots:
        return
    assert ref_from_sim_index(sim_index(ref, slots), slots) == ref
