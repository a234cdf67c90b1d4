"""Hostile pushes through the webhook, under fuzzing: shapes an attacker who knows the webhook id would send.

A forged `dev-status` claiming any port count, port rows for ports that do not exist, long SMS parts with forged
`Concat:` headers, character sets the gateways never use, control characters and oversized fields. Whatever arrives:
the answer is 2xx or 4xx, the gateway's devices and entities stay what the polls made them, every event field is
clean (no control characters but newline and tab in texts, capped lengths), and nothing is logged at error level.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.const import DOMAIN
from tests.e2e.conftest import WEBHOOK_ID, auto_enable_custom_integrations, config_entry, init_integration, sim  # noqa: F401 - fixtures

from .strategies import WIRE_TEXT

PATH = f"/api/webhook/{WEBHOOK_ID}"
LONG_FIELDS = {"text", "subject"}
LONG_FIELD_MAX = 10_000
SHORT_FIELD_MAX = 200

PORT_LABELS = st.sampled_from(["1A", "2B", "4", "1.01", "0", "900A", "65.33", "-1", "1Z", "port 7"]) | WIRE_TEXT
PORT_COUNTS = st.integers(min_value=-5, max_value=5000) | st.sampled_from(["32", "", None, 2**40])
# Character sets a push may claim: what gateways use, and what must never be decoded (punycode is quadratic).
CHARSETS = st.sampled_from(["utf-8", "UTF-8", "gbk", "iso-8859-1", "punycode", "utf-7", "idna", "rot13", "x-bogus"])
HOSTILE_TEXT = st.text(
    st.characters() | st.sampled_from(["\x1b", "\x00", "\r", "\u202e", "\n", "\t"]), max_size=300
) | st.just("\x1b[31m" + "x" * 12_000)


def dev_status(max_ports: object, rows: list[dict[str, object]]) -> tuple[bytes, str, dict[str, str]]:
    body = {"type": "dev-status", "seq": 7, "expires": 60, "mac": "02-00-00-00-00-09", "max-ports": max_ports}
    body |= {"max-slot": 2, "ver": "forged", "status": rows}
    return json.dumps(body).encode(), "application/json", {}


def port_status(label: str, st_code: int) -> tuple[bytes, str, dict[str, str]]:
    body = {"type": "port-status", "seq": 3, "port": label, "st": st_code, "sig": 31, "opr": "x" * 5000}
    return json.dumps(body).encode(), "application/json", {}


def recv_sms(rows: list[tuple[str, str, str]]) -> tuple[bytes, str, dict[str, str]]:
    sms = [
        [0, label, 1_700_000_000 + index, sender, "", base64.b64encode(text.encode()).decode()]
        for index, (label, sender, text) in enumerate(rows)
    ]
    return json.dumps({"type": "recv-sms", "sms_num": len(sms), "sms": sms}).encode(), "application/json", {}


def legacy_part(charset: str, reference: int, part: int, total: int, text: str) -> tuple[bytes, str, dict[str, str]]:
    body = f"Sender: +4915112345\nConcat: {reference}/{part}/{total}\n\n{text}"
    return body.encode("utf-8", "replace"), f"text/plain; charset={charset}", {"port": "1A", "sender": "+4915112345"}


PUSHES = (
    st.builds(
        dev_status, PORT_COUNTS, st.lists(st.fixed_dictionaries({"port": PORT_LABELS, "st": st.integers(-1, 99)}))
    )
    | st.builds(port_status, PORT_LABELS, st.integers(-1, 99))
    | st.builds(recv_sms, st.lists(st.tuples(PORT_LABELS, HOSTILE_TEXT, HOSTILE_TEXT), max_size=20))
    | st.builds(
        legacy_part,
        CHARSETS,
        st.integers(0, 70_000),
        st.integers(0, 300),
        st.integers(0, 300),
        HOSTILE_TEXT,
    )
)


def shape(hass: HomeAssistant, entry: ConfigEntry) -> tuple[int, int]:
    """How many entities and devices the gateway has."""
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return len(entities), len(devices)


def assert_clean(data: dict[str, Any]) -> None:
    for field, value in data.items():
        if not isinstance(value, str):
            continue
        long = field in LONG_FIELDS
        assert len(value) <= (LONG_FIELD_MAX if long else SHORT_FIELD_MAX), field
        assert all(char.isprintable() or (long and char in "\n\t") for char in value), field


@pytest.fixture
async def client(hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator) -> TestClient:
    return await hass_client_no_auth()


@pytest.mark.parametrize("vendor", ["ejoin"])
@pytest.mark.usefixtures("init_integration")
@given(push=PUSHES)
async def test_hostile_pushes_never_reshape_the_gateway_or_leak_into_events(
    hass: HomeAssistant,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    push: tuple[bytes, str, dict[str, str]],
) -> None:
    body, content_type, query = push
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    before = shape(hass, entry)
    fired: list[Event[Any]] = []

    @callback
    def record(event: Event[Any]) -> None:
        if event.event_type.startswith("gsm_gateway_"):
            fired.append(event)

    errors_before = sum(1 for record_ in caplog.records if record_.levelno >= logging.ERROR)
    unsubscribe = hass.bus.async_listen("*", record)
    try:
        response = await client.post(PATH, data=body, params=query, headers={"Content-Type": content_type})
        await hass.async_block_till_done()
    finally:
        unsubscribe()
    assert 200 <= response.status < 300 or 400 <= response.status < 500, response.status
    assert shape(hass, entry) == before
    for event in fired:
        assert_clean(dict(event.data))
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR][errors_before:]
    assert errors == []
