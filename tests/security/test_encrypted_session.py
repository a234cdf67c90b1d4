"""The encrypted session (Skyline/EJOIN v2.4 `crypt_sess.json`): offered in the config flow, and with it on, the
password never leaves Home Assistant: not while detecting, not while polling, not while sending."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from yarl import URL

from custom_components.gsm_gateway.const import CONF_ENCRYPTED_SESSION, CONF_MANAGE_PUSH_TARGET, DOMAIN
from simulator import GatewaySimulator
from tests.conftest import SimulatorFactory


def flow_input(sim: GatewaySimulator) -> dict[str, Any]:
    url = URL(sim.url)
    return {
        CONF_HOST: url.host,
        CONF_PORT: url.port,
        CONF_USERNAME: sim.username,
        CONF_PASSWORD: sim.password,
        CONF_ENCRYPTED_SESSION: True,
    }


async def test_the_password_never_travels(hass: HomeAssistant, simulator_factory: SimulatorFactory) -> None:
    sim = await simulator_factory("ejoin", ports=2, slots=1)
    flow = hass.config_entries.flow
    result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await flow.async_configure(result["flow_id"], flow_input(sim))
    assert result["step_id"] == "confirm"
    result = await flow.async_configure(result["flow_id"], {CONF_MANAGE_PUSH_TARGET: True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED

    response = await hass.services.async_call(
        DOMAIN, "send_sms", {"recipients": "+4917012345", "message": "encrypted"}, blocking=True, return_response=True
    )
    assert response is not None
    assert response["recipients"][0]["accepted"] is True  # the encrypted body was understood
    assert sim.requests_to("/crypt_sess.json")
    for request in sim.requests:
        assert "password" not in request.query
        assert sim.password not in {value for key, value in request.query.items() if key != "username"}


@pytest.mark.parametrize(("vendor", "variant"), [("ejoin", "no_crypt"), ("dinstar", None), ("synway", None)])
async def test_a_gateway_without_the_session_is_named(
    hass: HomeAssistant, simulator_factory: SimulatorFactory, vendor: str, variant: str | None
) -> None:
    sim = await simulator_factory(vendor, ports=2, slots=1)
    if variant:
        sim.variants.add(variant)
    flow = hass.config_entries.flow
    result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await flow.async_configure(result["flow_id"], flow_input(sim))
    assert result["errors"] == {CONF_ENCRYPTED_SESSION: "encryption_unavailable"}
    assert all("password" not in request.query for request in sim.requests)


async def test_a_wrong_password_is_named(hass: HomeAssistant, simulator_factory: SimulatorFactory) -> None:
    sim = await simulator_factory("ejoin", ports=2, slots=1)
    flow = hass.config_entries.flow
    result = await flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await flow.async_configure(result["flow_id"], flow_input(sim) | {CONF_PASSWORD: "not-it"})
    assert result["errors"] == {CONF_PASSWORD: "invalid_auth"}
