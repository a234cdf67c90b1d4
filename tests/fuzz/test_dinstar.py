"""Dinstar: every push section, the answers of the `/api/*` endpoints and the auth challenge, under fuzzing."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from typing import Any
from urllib.parse import quote

from hypothesis import given, strategies as st

from custom_components.gsm_gateway.client.dinstar import DinstarGateway, parse
from custom_components.gsm_gateway.client.dinstar.auth import parse_challenge, parse_www_authenticate
from custom_components.gsm_gateway.client.dinstar.ports import label_from_wire, ref_from_wire, wire_int
from custom_components.gsm_gateway.client.dinstar.push import parse_push
from custom_components.gsm_gateway.client.dinstar.status import device_info, gateway_status
from custom_components.gsm_gateway.client.events import PushRequest, SmsReceivedEvent
from custom_components.gsm_gateway.client.models import ConnectionSettings, SmsRequest
from custom_components.gsm_gateway.client.ports import SlotRef

from .strategies import (
    JSON_VALUES,
    SCALARS,
    WIRE_TEXT,
    as_json_bytes,
    damaged_bytes,
    fixture_bytes,
    fixture_json,
    mutated,
    parses_or_refuses,
    read_with_answer,
)

PUSHES = [
    "sms_push.txt",
    "sms_push_6_4.json",
    "sms_result_push.json",
    "sms_result_push_3_4.json",
    "sms_deliver_status_push.json",
    "sms_deliver_status_push_4_4.txt",
    "ussd_push.txt",
    "register_push.txt",
    "cdr_push.json",
    "device_push_on.json",
    "device_push_off.json",
    "exception_push.json",
]
SECTIONS = ["sms", "sms_result", "sms_deliver_status", "ussd", "register", "cdr", "device", "exception_info"]
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8))])
SERIALS = st.none() | st.just("dwg-serial-1") | WIRE_TEXT
SETTINGS = ConnectionSettings(host="192.0.2.2", username="admin", password="secret")
STATUSES = st.sampled_from([200, 200, 200, 401, 403, 404, 500])


def push(body: bytes) -> PushRequest:
    return PushRequest(body=body, content_type="application/json")


# --- pushes ---------------------------------------------------------------------------------------------------


@given(st.sampled_from(PUSHES).flatmap(lambda name: mutated(fixture_json("dinstar", name))), SERIALS, ZONES)
def test_pushes_mutated(body: Any, serial: str | None, zone: Any) -> None:
    parses_or_refuses(lambda: parse_push(push(as_json_bytes(body)), serial=serial, time_zone=zone))


@given(st.sampled_from(PUSHES).flatmap(lambda name: damaged_bytes(fixture_bytes("dinstar", name))), SERIALS)
def test_pushes_damaged_bytes(body: bytes, serial: str | None) -> None:
    parses_or_refuses(lambda: parse_push(push(body), serial=serial, time_zone=UTC))


@given(st.lists(st.tuples(st.sampled_from(SECTIONS), JSON_VALUES), min_size=1, max_size=3), st.booleans(), SERIALS)
def test_sections_of_any_shape(sections: list[tuple[str, Any]], with_serial: bool, serial: str | None) -> None:
    body: dict[str, Any] = dict(sections)
    if with_serial:
        body["sn"] = serial
    parses_or_refuses(lambda: parse_push(push(as_json_bytes(body)), serial=None, time_zone=UTC))


@given(st.lists(st.sampled_from(PUSHES).flatmap(lambda name: mutated(fixture_json("dinstar", name))), max_size=4))
def test_batched_pushes(objects: list[Any]) -> None:
    """Several objects back to back, or as one array (both are on the wire)."""
    joined = b"".join(as_json_bytes(item) for item in objects)
    parses_or_refuses(lambda: parse_push(push(joined), serial="s", time_zone=UTC))
    parses_or_refuses(lambda: parse_push(push(as_json_bytes(objects)), serial="s", time_zone=UTC))


TEXTS = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=70)


@given(st.integers(0, 31), st.from_regex(r"\+?\d{3,15}", fullmatch=True), TEXTS, st.booleans())
def test_sms_round_trip(port: int, number: str, text: str, encoded: bool) -> None:
    """A valid SMS push comes out as the message it carries, plain or URL-encoded."""
    item = {
        "incoming_sms_id": 7,
        "port": port,
        "number": number,
        "smsc": "+491770610000",
        "timestamp": "2026-01-01 12:00:00",
        "text": quote(text) if encoded else text,
    }
    events = parse_push(push(as_json_bytes({"sn": "s", "sms": [item]})), serial=None, time_zone=UTC)
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, SmsReceivedEvent)
    assert (event.sms.port_label, event.sms.sender) == (SlotRef(port + 1, 1).label, number)
    if encoded:
        assert event.sms.text == text


# --- answers ----------------------------------------------------------------------------------------------------

ANSWERS = [
    (lambda obj: parse.parse_port_info(obj, "w"), "get_port_info_response.txt"),
    (lambda obj: parse.parse_port_info(obj, "w"), "get_status_response.json"),
    (lambda obj: parse.parse_send_records(obj, "w", UTC), "query_sms_result_response.json"),
    (lambda obj: parse.parse_delivery_records(obj, "w", UTC), "query_sms_deliver_status_response.json"),
    (lambda obj: parse.parse_incoming(obj, "w", serial="s", time_zone=UTC), "query_incoming_sms_response.json"),
    (lambda obj: parse.parse_ussd_results(obj, "w"), "send_ussd_response.txt"),
    (lambda obj: parse.parse_ussd_replies(obj, "w"), "query_ussd_reply_response.txt"),
    (lambda obj: parse.parse_call_records(obj, "w", UTC), "get_cdr_response.txt"),
    (lambda obj: parse.parse_call_forward(obj, "w"), "call_forward_response.txt"),
    (lambda obj: parse.parse_stk_view(obj, "w", SlotRef(1, 1)), "stk_view_response.json"),
    (lambda obj: parse.parse_frame_id(obj, "w"), "stk_frame_response.json"),
    (lambda obj: parse.parse_queue_count(obj, "w"), "query_sms_in_queue_response.json"),
    (lambda obj: parse.check_result(obj, "w"), "send_sms_response.json"),
]


@given(
    st.sampled_from(ANSWERS).flatmap(
        lambda item: st.tuples(st.just(item[0]), mutated(fixture_json("dinstar", item[1])))
    )
)
def test_answers_mutated(case: tuple[Any, Any]) -> None:
    parser, body = case
    if isinstance(body, dict):
        parses_or_refuses(lambda: parser(body))


@given(mutated(fixture_json("dinstar", "get_port_info_response.txt")), SERIALS)
def test_status_assembly(body: Any, serial: str | None) -> None:
    """Port infos, however odd, become a status: ports numbered from 1, each with its active slot among its slots."""
    if not isinstance(body, dict):
        return
    infos = parses_or_refuses(lambda: parse.parse_port_info(body, "get_port_info"))
    if not infos:
        return
    device = parses_or_refuses(lambda: device_info(serial or "s", infos))
    if device is None:
        return
    status = parses_or_refuses(lambda: gateway_status(device, infos))
    if status is not None:
        for number, port in status.ports.items():
            assert number == port.port >= 1
            assert port.active_slot is None or port.active_slot in port.slots


@given(
    st.binary(max_size=200)
    | st.sampled_from(PUSHES).flatmap(lambda name: damaged_bytes(fixture_bytes("dinstar", name)))
)
def test_body_decoding(body: bytes) -> None:
    parses_or_refuses(lambda: parse.decode_object(body, "w"))


@given(SCALARS, SCALARS, ZONES)
def test_scalar_readers(port: Any, slot: Any, zone: Any) -> None:
    parses_or_refuses(lambda: wire_int(port))
    parses_or_refuses(lambda: ref_from_wire(port, slot))
    parses_or_refuses(lambda: label_from_wire(port, slot))
    parses_or_refuses(lambda: parse.parse_time(port, zone))
    if isinstance(port, str):
        parses_or_refuses(lambda: parse.decode_text(port))


CHALLENGE_PARTS = st.sampled_from(
    [
        'Digest realm="Web Server"',
        "Basic realm=x",
        'nonce="abc"',
        "qop=auth",
        'qop="auth,auth-int"',
        "stale=true",
        "algorithm=MD5",
        'opaque="o"',
        ",",
        " ",
        '"',
        "=",
        "Negotiate",
    ]
)


@given(st.lists(CHALLENGE_PARTS | WIRE_TEXT, max_size=8).map(", ".join))
def test_auth_challenges(header: str) -> None:
    parses_or_refuses(lambda: parse_www_authenticate(header))
    parses_or_refuses(lambda: parse_challenge({"WWW-Authenticate": header}))


# --- the client reading fuzzed answers over its transport -----------------------------------------------------------


@given(
    STATUSES,
    mutated(fixture_json("dinstar", "get_port_info_response.txt")).map(as_json_bytes) | st.binary(max_size=100),
)
def test_client_reads_any_status_answer(status: int, body: bytes) -> None:
    read_with_answer(
        lambda session: DinstarGateway(session, SETTINGS), status, body, lambda gateway: gateway.get_status()
    )


@given(STATUSES, mutated(fixture_json("dinstar", "query_incoming_sms_response.json")).map(as_json_bytes))
def test_client_reads_any_inbox_answer(status: int, body: bytes) -> None:
    read_with_answer(
        lambda session: DinstarGateway(session, SETTINGS), status, body, lambda gateway: gateway.fetch_inbox(None)
    )


@given(STATUSES, mutated(fixture_json("dinstar", "send_sms_response.json")).map(as_json_bytes))
def test_client_reads_any_send_answer(status: int, body: bytes) -> None:
    request = SmsRequest(recipients=("+491711234567",), text="hello")
    read_with_answer(
        lambda session: DinstarGateway(session, SETTINGS), status, body, lambda gateway: gateway.send_sms(request)
    )


@given(st.lists(CHALLENGE_PARTS, max_size=6).map(", ".join))
def test_client_answers_any_challenge(header: str) -> None:
    """A 401 with any challenge ends in a typed error, never a loop or a crash."""
    read_with_answer(
        lambda session: DinstarGateway(session, SETTINGS),
        401,
        b"",
        lambda gateway: gateway.get_status(),
        headers={"WWW-Authenticate": header},
    )
