"""Synway: the `content` grammar edited from real answers, the answer envelope, the inbox cursor, under fuzzing.

`tests/client/synway/test_grammar.py` already feeds random text and round-trips valid records; this adds
structure-aware edits of the recorded answers (most of a payload stays valid, so the damage lands deep in the
grammar), the JSON envelope around `content`, the persisted cursor, and the client reading whole answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import aiohttp
from hypothesis import given, strategies as st

from custom_components.gsm_gateway.client.events import PushRequest
from custom_components.gsm_gateway.client.exceptions import GatewayPushError
from custom_components.gsm_gateway.client.models import ConnectionSettings
from custom_components.gsm_gateway.client.synway import SynwayGateway
from custom_components.gsm_gateway.client.synway.grammar import (
    parse_counted_list,
    parse_inbox,
    parse_port_flags,
    parse_stamp,
    parse_task_id,
    parse_total,
    parse_tx_tasks,
    parse_ussd,
    parse_wireless,
)
from custom_components.gsm_gateway.client.synway.inbox import InboxCursor
from custom_components.gsm_gateway.client.synway.ports import PortNumbering, detect_base, slot_to_number
from custom_components.gsm_gateway.client.synway.wire import SynwayWire
from custom_components.gsm_gateway.client.transport import HttpResponse, HttpTransport

from .strategies import (
    DIGIT_LOOKALIKES,
    FIXTURES,
    JSON_VALUES,
    WIRE_TEXT,
    as_json_bytes,
    damaged_bytes,
    fixture_json,
    mutated,
    parses_or_refuses,
    read_with_answer,
)

PARSERS = (
    parse_counted_list,
    parse_total,
    parse_wireless,
    parse_task_id,
    parse_tx_tasks,
    parse_port_flags,
    parse_inbox,
    parse_ussd,
)
ANSWERS = sorted(path.name for path in (FIXTURES / "synway").glob("*.json"))
CONTENTS = [
    content for name in ANSWERS if isinstance(content := fixture_json("synway", name).get("content"), str) and content
]
GRAMMAR_CHARACTERS = st.sampled_from([*"0123456789:;.,|()-E[]AB \n", "total:", "taskid:", "|E", "(-1)", "\x00"])
SETTINGS = ConnectionSettings(host="192.0.2.3", username="ApiUserAdmin", password="secret")
NO_SESSION = cast("aiohttp.ClientSession", None)  # these tests send nothing


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """`text` after a few character edits: insertions, deletions, replacements, a cut, a repeated stretch."""
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.integers(0, 4))
        piece = draw(GRAMMAR_CHARACTERS | st.characters(exclude_categories=["Cs"]))
        if action == 0:
            text = text[:position] + piece + text[position:]
        elif action == 1:
            text = text[:position] + text[position + 1 :]
        elif action == 2:
            text = text[:position] + piece + text[position + 1 :]
        elif action == 3:
            text = text[:position]
        else:
            end = draw(st.integers(position, len(text)))
            text = text[:end] + text[position:end] + text[end:]
    return text


@given(st.sampled_from(CONTENTS).flatmap(edited))
def test_grammar_on_edited_answers(content: str) -> None:
    for parser in PARSERS:
        parses_or_refuses(lambda parser=parser: parser(content))


@given(JSON_VALUES)
def test_grammar_on_any_json_value(content: Any) -> None:
    """`content` is not always a string on the wire (numbers, null); the grammar takes any object."""
    for parser in PARSERS:
        parses_or_refuses(lambda parser=parser: parser(content))


@given(WIRE_TEXT | st.from_regex(r"\d{4}-?\d\d-?\d\d ?\d\d:?\d\d:?\d\d", fullmatch=True))
def test_stamps(text: str) -> None:
    parses_or_refuses(lambda: parse_stamp(text))


@given(st.sampled_from(ANSWERS).flatmap(lambda name: mutated(fixture_json("synway", name))), st.integers(100, 599))
def test_answer_envelope(answer: Any, status: int) -> None:
    """`result` in any casing or type, `content` of any type, any HTTP status: the content, or a typed error."""
    transport = HttpTransport(NO_SESSION, SETTINGS)
    response = HttpResponse(status, {}, as_json_bytes(answer), "API/QueryInfo")
    parses_or_refuses(lambda: SynwayWire(transport).content(response, "getportinfo"))


@given(mutated({"v": 1, "since": "20260101120000", "seen": ["a" * 32, "b" * 32]}) | JSON_VALUES)
def test_persisted_cursor_never_raises(raw: Any) -> None:
    """A damaged cursor in storage starts over (duplicates are possible, loss is not); it never raises."""
    cursor = InboxCursor.from_json(raw if isinstance(raw, dict) else None)
    assert isinstance(cursor, InboxCursor)


@given(st.text(max_size=4).filter(lambda text: text not in DIGIT_LOOKALIKES and not any(c in text for c in "²³¹")))
def test_slot_notation(text: str) -> None:
    number = slot_to_number(text)
    assert number is None or number >= 1
    for base in (0, 1):
        parses_or_refuses(lambda base=base: PortNumbering(base).ref(3, text))


@given(st.integers(-5, 80), st.lists(st.integers(-5, 80), max_size=10))
def test_port_base_detection(port_count: int, wire_ports: list[int]) -> None:
    assert detect_base(port_count, wire_ports) in {None, 0, 1}


@given(st.binary(max_size=100), st.dictionaries(WIRE_TEXT, WIRE_TEXT, max_size=3))
def test_pushes_are_always_refused(body: bytes, query: dict[str, str]) -> None:
    """Synway has no push: whatever arrives is refused with the typed error, so the webhook answers 4xx."""
    gateway = SynwayGateway(NO_SESSION, SETTINGS)
    try:
        gateway.parse_push(PushRequest(body=body, content_type="application/json", query=query))
    except GatewayPushError:
        return
    raise AssertionError("a Synway push was accepted")


def _answer_bodies() -> st.SearchStrategy[bytes]:
    recorded = st.sampled_from(ANSWERS).map(lambda name: (Path(FIXTURES) / "synway" / name).read_bytes())
    return (
        st.sampled_from(ANSWERS).flatmap(lambda name: mutated(fixture_json("synway", name))).map(as_json_bytes)
        | recorded.flatmap(damaged_bytes)
        | st.sampled_from(CONTENTS)
        .flatmap(edited)
        .map(lambda text: json.dumps({"result": "ok", "content": text}).encode())
    )


@given(st.sampled_from([200, 200, 200, 401, 404, 500]), _answer_bodies())
def test_client_reads_any_answer(status: int, body: bytes) -> None:
    """Connecting and reading the status get the same (fuzzed) answer to every request: typed errors only."""

    async def connect_and_poll(gateway: SynwayGateway) -> None:
        await gateway.connect()
        await gateway.get_status()
        await gateway.fetch_inbox(None)

    read_with_answer(lambda session: SynwayGateway(session, SETTINGS), status, body, connect_and_poll)
