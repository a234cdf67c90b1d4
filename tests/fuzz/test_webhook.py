"""The webhook under fuzzing: every body gets 2xx or 4xx (never 500), and a refused body fires no event.

A real Home Assistant with the integration set up against each vendor's simulator; bodies are posted over HTTP
like a gateway posts them: recorded pushes with mutations, damaged bytes, random bytes, odd content types and
query strings. Nothing may be logged at error level meanwhile (a push that parsed but broke while being applied
would show there).
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.e2e.conftest import WEBHOOK_ID, auto_enable_custom_integrations, config_entry, init_integration, sim  # noqa: F401 - fixtures

from .strategies import WIRE_TEXT, as_json_bytes, damaged_bytes, fixture_bytes, fixture_json, mutated

PATH = f"/api/webhook/{WEBHOOK_ID}"
RECORDED = {
    "ejoin": ["recv_sms_push.json", "status_report_push.json", "dev_status_example.json", "port_status_example.json"],
    "dinstar": [
        "sms_push.txt",
        "sms_result_push.json",
        "sms_deliver_status_push.json",
        "register_push.txt",
        "cdr_push.json",
        "device_push_on.json",
        "exception_push.json",
    ],
    "synway": [],
}
CONTENT_TYPES = st.sampled_from(
    [
        "application/json;charset=utf-8",
        "text/plain;charset=utf-8",
        "application/octet-stream",
        "multipart/related; boundary=b",
        "",
        "x/y",
    ]
)
QUERIES = st.dictionaries(
    st.sampled_from(["port", "sender", "iccid", "time", "x"]),
    WIRE_TEXT.filter(lambda text: text.isprintable()),
    max_size=3,
)


def bodies(vendor: str) -> st.SearchStrategy[bytes]:
    names = RECORDED[vendor] or RECORDED["ejoin"]  # a Synway gateway gets other vendors' pushes
    other = "dinstar" if vendor == "ejoin" else "ejoin"
    recorded = st.sampled_from(names).map(lambda name: fixture_bytes(vendor if RECORDED[vendor] else "ejoin", name))
    return (
        st.sampled_from(names)
        .flatmap(lambda name: mutated(fixture_json(vendor if RECORDED[vendor] else "ejoin", name)))
        .map(as_json_bytes)
        | recorded.flatmap(damaged_bytes)
        | st.sampled_from(RECORDED[other]).map(lambda name: fixture_bytes(other, name))
        | st.binary(max_size=300)
    )


@pytest.fixture
async def client(hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator) -> TestClient:
    return await hass_client_no_auth()


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"])
@pytest.mark.usefixtures("init_integration")
@given(data=st.data())
async def test_every_body_gets_2xx_or_4xx_and_refused_ones_fire_nothing(
    hass: HomeAssistant, client: TestClient, caplog: pytest.LogCaptureFixture, vendor: str, data: st.DataObject
) -> None:
    body = data.draw(bodies(vendor), "body")
    content_type = data.draw(CONTENT_TYPES, "content type")
    query = data.draw(QUERIES, "query")
    fired: list[Event[Any]] = []

    @callback
    def record(event: Event[Any]) -> None:
        if event.event_type.startswith("gsm_gateway_"):
            fired.append(event)

    errors_before = sum(1 for record_ in caplog.records if record_.levelno >= logging.ERROR)
    unsubscribe = hass.bus.async_listen(MATCH_ALL, record)
    try:
        response = await client.post(PATH, data=body, params=query, headers={"Content-Type": content_type})
        await hass.async_block_till_done()
    finally:
        unsubscribe()
    assert 200 <= response.status < 300 or 400 <= response.status < 500, response.status
    if response.status >= 400:
        assert fired == []
    if vendor == "synway":
        # Synway cannot push, so no webhook is registered; Home Assistant answers 200 for any unknown id (so that
        # ids cannot be probed) and nothing reaches the integration.
        assert fired == []
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR][errors_before:]
    assert errors == []
