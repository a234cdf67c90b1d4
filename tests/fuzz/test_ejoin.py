"""Skyline/EJOIN: every push format, the status, inbox, task, statistics, eSIM and proxy answers, under fuzzing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
import json
from typing import Any

from hypothesis import given, strategies as st

from custom_components.gsm_gateway.client.ejoin import (
    EjoinGateway,
    esim as ejoin_esim,
    ip_lists as ejoin_ip_lists,
    proxy as ejoin_proxy,
)
from custom_components.gsm_gateway.client.ejoin.inbox import (
    parse_device_time,
    parse_inbox_answer,
    parse_scts,
    split_header_block,
)
from custom_components.gsm_gateway.client.ejoin.parse import (
    parse_call_statistics,
    parse_gateway_status,
    parse_sms_statistics,
    parse_task_page,
    parse_task_results,
    split_code,
)
from custom_components.gsm_gateway.client.ejoin.push import parse_push
from custom_components.gsm_gateway.client.esim import EsimOperation
from custom_components.gsm_gateway.client.events import PushRequest, SmsReceivedEvent
from custom_components.gsm_gateway.client.models import ConnectionSettings, SmsRequest
from simulator.ejoin.wire import mms_body, mms_headers

from .strategies import (
    JSON_VALUES,
    WIRE_TEXT,
    as_json_bytes,
    damaged_bytes,
    fixture_bytes,
    fixture_json,
    mutated,
    parses_or_refuses,
    read_with_answer,
)

JSON_PUSHES = ["recv_sms_push.json", "status_report_push.json", "dev_status_example.json", "port_status_example.json"]
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])
CONTENT_TYPES = st.sampled_from(
    [
        "application/json;charset=utf-8",
        "application/json,charset=utf-8",
        "text/plain;charset=utf-8",
        "text/plain;charset=gbk",
        "text/plain;charset=no-such-charset",
        "text/plain;charset=punycode",  # quadratic decoder: not allow-listed, read as UTF-8
        "text/plain;charset=utf-7",
        "text/plain;charset=rot13",
        "application/octet-stream",
        "multipart/related; boundary=x",
        "",
    ]
)
QUERIES = st.dictionaries(
    st.sampled_from(["port", "portnum", "sender", "from", "to", "iccid", "imsi", "time", "date", "x"]), WIRE_TEXT
)
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def push(body: bytes, content_type: str = "application/json", **kwargs: Any) -> PushRequest:
    return PushRequest(body=body, content_type=content_type, **kwargs)


# --- pushes ---------------------------------------------------------------------------------------------------


@given(st.sampled_from(JSON_PUSHES).flatmap(lambda name: mutated(fixture_json("ejoin", name))), ZONES)
def test_json_pushes_mutated(body: Any, zone: Any) -> None:
    parses_or_refuses(lambda: parse_push(push(as_json_bytes(body)), time_zone=zone, now=NOW))


@given(st.sampled_from(JSON_PUSHES).flatmap(lambda name: damaged_bytes(fixture_bytes("ejoin", name))), CONTENT_TYPES)
def test_json_pushes_damaged_bytes(body: bytes, content_type: str) -> None:
    parses_or_refuses(lambda: parse_push(push(body, content_type), now=NOW))


@given(
    st.sampled_from(["recv-sms", "status-report", "dev-status", "port-status", "no-such", ""]),
    st.dictionaries(WIRE_TEXT, JSON_VALUES, max_size=4),
    st.sampled_from(["sms", "rpts", "status", "port", "st"]),
    JSON_VALUES,
)
def test_json_pushes_of_any_shape(kind: str, extra: dict[str, Any], key: str, value: Any) -> None:
    body = {**extra, "type": kind, key: value}
    parses_or_refuses(lambda: parse_push(push(as_json_bytes(body)), now=NOW))


@given(
    st.binary(max_size=300) | WIRE_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
    CONTENT_TYPES,
    QUERIES,
    ZONES,
)
def test_legacy_plain_text_forward(body: bytes, content_type: str, query: dict[str, str], zone: Any) -> None:
    parses_or_refuses(lambda: parse_push(push(body, content_type, query=query), time_zone=zone, now=NOW))


MMS_TEXT = WIRE_TEXT.filter(lambda text: not any("\ud800" <= char <= "\udfff" for char in text))  # encodable


@given(
    MMS_TEXT,
    MMS_TEXT,
    st.lists(st.tuples(st.sampled_from(["image/jpeg", "text/plain", "x/y", ""]), st.binary(max_size=40)), max_size=3),
    st.data(),
)
def test_mms(subject: str, text: str, attachments: list[tuple[str, bytes]], data: st.DataObject) -> None:
    body, content_type = mms_body(text, attachments, boundary="fuzz-boundary")
    headers = mms_headers(
        subject=subject, sender="+491711234567", recipient="", port_label="2A", moment=NOW.timestamp()
    )
    headers = {
        key: data.draw(st.sampled_from([value, value[:3], data.draw(WIRE_TEXT)])) for key, value in headers.items()
    }
    body = data.draw(st.sampled_from([body, body[: len(body) // 2]]) | damaged_bytes(body))
    parses_or_refuses(lambda: parse_push(push(body, content_type, headers=headers), now=NOW))


TEXTS = st.text(st.characters(exclude_categories=["Cs", "Cc"], exclude_characters=":"), min_size=1, max_size=70)
LABELS = st.builds(lambda port, slot: f"{port}{slot}", st.integers(1, 32), st.sampled_from("ABCD"))


@given(
    st.lists(
        st.tuples(
            LABELS, st.integers(1_500_000_000, 1_900_000_000), st.from_regex(r"\+?\d{3,15}", fullmatch=True), TEXTS
        ),
        min_size=1,
        max_size=5,
    )
)
def test_recv_sms_round_trip(rows: list[tuple[str, int, str, str]]) -> None:
    """Valid rows come out as the messages they carry, whatever the text."""
    body = {
        "type": "recv-sms",
        "sms_num": len(rows),
        "sms": [
            [0, label, stamp, sender, "", base64.b64encode(text.encode()).decode()]
            for label, stamp, sender, text in rows
        ],
    }
    events = parse_push(push(as_json_bytes(body)), now=NOW)
    assert all(isinstance(event, SmsReceivedEvent) for event in events)
    messages = [event.sms for event in events if isinstance(event, SmsReceivedEvent)]
    assert [(sms.port_label, sms.sender, sms.text) for sms in messages] == [
        (label, sender, text) for label, _, sender, text in rows
    ]
    assert [int(sms.received_at.timestamp()) for sms in messages] == [stamp for _, stamp, _, _ in rows]
    assert len({sms.message_id for sms in messages}) == len(set(rows))


# --- answers ----------------------------------------------------------------------------------------------------


@given(
    st.sampled_from(["dev_status_example.json", "dev_status_doc.json"]).flatmap(
        lambda n: mutated(fixture_json("ejoin", n))
    )
)
def test_status_answer(body: Any) -> None:
    status = parses_or_refuses(lambda: parse_gateway_status(body))
    if status is not None:
        assert status.device.port_count >= 1
        for number, port in status.ports.items():
            assert port.port == number
            assert port.active_slot is None or port.active_slot in port.slots


@given(mutated(fixture_json("ejoin", "get_sms_response.json")), st.integers(-5, 10**6), ZONES)
def test_inbox_answer(body: Any, start_id: int, zone: Any) -> None:
    parses_or_refuses(lambda: parse_inbox_answer(body, start_id=start_id, time_zone=zone))


@given(
    st.sampled_from(["task_results_response.json", "send_sms_response.json"]).flatmap(
        lambda n: mutated(fixture_json("ejoin", n))
    )
)
def test_task_results(body: Any) -> None:
    for key in ("results", "status"):
        parses_or_refuses(lambda key=key: parse_task_results(body.get(key) if isinstance(body, dict) else body, key))


@given(mutated(fixture_json("ejoin", "get_tasks_response.json")))
def test_task_page(body: Any) -> None:
    if isinstance(body, dict):
        parses_or_refuses(lambda: parse_task_page(body))


@given(
    mutated(fixture_json("ejoin", "sms_stat_response.json")), mutated(fixture_json("ejoin", "call_stat_response.json"))
)
def test_statistics(sms: Any, calls: Any) -> None:
    if isinstance(sms, dict):
        parses_or_refuses(lambda: parse_sms_statistics(sms))
    if isinstance(calls, dict):
        parses_or_refuses(lambda: parse_call_statistics(calls))


@given(mutated(fixture_json("ejoin", "esims_response.json")), st.integers(-1, 40), st.integers(-1, 40))
def test_esim_answers(body: Any, port: int, slot: int) -> None:
    if isinstance(body, dict):
        parses_or_refuses(lambda: ejoin_esim.parse_esims(body))
        for operation in EsimOperation:
            parses_or_refuses(lambda operation=operation: ejoin_esim.job_progress(body, port, slot, operation))


PROXY_PARSERS = [
    (ejoin_proxy.parse_state, "proxy_state_response.json"),
    (ejoin_proxy.parse_proxy_config, "proxy_config_response.json"),
    (ejoin_proxy.parse_user_config, "proxy_user_response.json"),
    (ejoin_proxy.parse_url_list, "proxy_white_list_response.json"),
    (ejoin_ip_lists.parse_ip_list, "ip_white_list_response.json"),
]


@given(
    st.sampled_from(PROXY_PARSERS).flatmap(
        lambda item: st.tuples(st.just(item[0]), mutated(fixture_json("ejoin", item[1])))
    )
)
def test_proxy_answers(case: tuple[Any, Any]) -> None:
    parser, body = case
    if isinstance(body, dict):
        parses_or_refuses(lambda: parser(body))


@given(JSON_VALUES, WIRE_TEXT, ZONES)
def test_scalar_readers(value: Any, text: str, zone: Any) -> None:
    parses_or_refuses(lambda: split_code(value))
    parses_or_refuses(lambda: parse_device_time(value, time_zone=zone))
    parses_or_refuses(lambda: parse_scts(text, time_zone=zone))
    parses_or_refuses(lambda: split_header_block(text, time_zone=zone))
    parses_or_refuses(lambda: split_header_block(f"Sender: {text}\r\nSCTS: {text}\r\nSlot: {text}\r\n\r\n{text}"))


# --- the client reading fuzzed answers over its transport -----------------------------------------------------------


STATUSES = st.sampled_from([200, 200, 200, 401, 404, 500, 302])
SETTINGS = ConnectionSettings(host="192.0.2.1", username="user", password="secret")


@given(STATUSES, mutated(fixture_json("ejoin", "dev_status_example.json")).map(as_json_bytes) | st.binary(max_size=100))
def test_client_reads_any_status_answer(status: int, body: bytes) -> None:
    read_with_answer(
        lambda session: EjoinGateway(session, SETTINGS), status, body, lambda gateway: gateway.get_status()
    )


@given(STATUSES, mutated(fixture_json("ejoin", "get_sms_response.json")).map(as_json_bytes) | st.binary(max_size=100))
def test_client_reads_any_inbox_answer(status: int, body: bytes) -> None:
    read_with_answer(
        lambda session: EjoinGateway(session, SETTINGS), status, body, lambda gateway: gateway.fetch_inbox(None)
    )


@given(STATUSES, mutated(fixture_json("ejoin", "send_sms_response.json")).map(as_json_bytes) | st.binary(max_size=100))
def test_client_reads_any_send_answer(status: int, body: bytes) -> None:
    request = SmsRequest(recipients=("+491711234567", "+491717654321"), text="hello")
    read_with_answer(
        lambda session: EjoinGateway(session, SETTINGS), status, body, lambda gateway: gateway.send_sms(request)
    )


def test_fixtures_are_valid_json() -> None:
    """The seeds of the mutations parse as they are (a broken seed would make every example trivial)."""
    for name in JSON_PUSHES:
        assert parse_push(push(fixture_bytes("ejoin", name)), now=NOW), name
    assert json.loads(fixture_bytes("ejoin", "get_sms_response.json"))
