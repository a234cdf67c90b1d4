"""Setting up and unloading a gateway with the mocked client; every setup error goes through the one table."""

from __future__ import annotations

from dataclasses import replace
from unittest.mock import MagicMock

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.gsm_gateway.client import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayConnectionError,
    GatewayError,
    GatewayRequestError,
    GatewayResponseError,
    GatewayTimeoutError,
    GatewayUnsupportedError,
    ProxyMode,
    ProxyResource,
    StatisticsPeriod,
)
from custom_components.gsm_gateway.const import CONF_ALLOW_ANY_SOURCE, DOMAIN

from .conftest import WEBHOOK_ID, GatewayModels


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar", "synway"], indirect=True)
async def test_load_and_unload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_gateway: MagicMock,
    entity_registry: er.EntityRegistry,
    vendor: str,
) -> None:
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    mock_gateway.connect.assert_awaited_once()
    mock_gateway.get_status.assert_awaited_once()
    entities = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert entities
    assert all(
        hass.states.get(entity.entity_id).state != STATE_UNAVAILABLE for entity in entities if not entity.disabled
    )

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert all(
        hass.states.get(entity.entity_id).state == STATE_UNAVAILABLE for entity in entities if not entity.disabled
    )


@pytest.mark.parametrize("vendor", ["ejoin", "dinstar"], indirect=True)
async def test_the_webhook_lives_as_long_as_the_entry(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_gateway: MagicMock,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Pushes reach the client's parser while the entry is loaded, and nothing after it was unloaded."""
    hass.config_entries.async_update_entry(mock_config_entry, options={CONF_ALLOW_ANY_SOURCE: True})
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()

    response = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=b'{"type": "dev-status"}')
    assert (response.status, await response.text()) == (200, "OK")
    (push,), _kwargs = mock_gateway.parse_push.call_args
    assert push.body == b'{"type": "dev-status"}'

    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    mock_gateway.parse_push.reset_mock()
    await client.post(f"/api/webhook/{WEBHOOK_ID}", data=b'{"type": "dev-status"}')
    mock_gateway.parse_push.assert_not_called()


async def test_the_gateway_and_its_ports_are_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    gateway = device_registry.async_get_device_by_identifier(
        (DOMAIN, str(init_integration.unique_id)), init_integration.entry_id
    )
    assert gateway is not None
    assert gateway.connections == {(dr.CONNECTION_NETWORK_MAC, "00:30:f1:00:6c:55")}
    assert gateway.configuration_url == "http://192.168.1.67:80"
    ports = dr.async_entries_for_parent_device(device_registry, gateway.id)
    assert [port.name for port in ports] == ["Port 1"]  # the example reports one row


# Setup: a refused login asks for new credentials; any other client error retries later (errors.py).
SETUP_ERRORS = [
    (GatewayAuthError("refused"), ConfigEntryState.SETUP_ERROR, "invalid_auth"),
    (GatewayConnectionError("unreachable"), ConfigEntryState.SETUP_RETRY, "communication_error"),
    (GatewayTimeoutError("no answer"), ConfigEntryState.SETUP_RETRY, "communication_error"),
    (GatewayCommandError(5, "busy"), ConfigEntryState.SETUP_RETRY, "command_refused"),
    (GatewayResponseError("HTTP 500"), ConfigEntryState.SETUP_RETRY, "invalid_response"),
    (GatewayUnsupportedError("old firmware"), ConfigEntryState.SETUP_RETRY, "unsupported"),
    (GatewayRequestError("too long"), ConfigEntryState.SETUP_RETRY, "invalid_request"),
]
SETUP_ERROR_IDS = ["auth", "connection", "timeout", "command", "response", "unsupported", "request"]


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """The sources of the flows in progress for `entry`."""
    return [
        flow["context"]["source"]
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"].get("entry_id") == entry.entry_id
    ]


@pytest.mark.parametrize("failing", ["connect", "get_status"])
@pytest.mark.parametrize(("error", "state", "key"), SETUP_ERRORS, ids=SETUP_ERROR_IDS)
async def test_setup_errors_go_through_the_table(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_gateway: MagicMock,
    failing: str,
    error: GatewayError,
    state: ConfigEntryState,
    key: str,
) -> None:
    getattr(mock_gateway, failing).side_effect = error
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is state
    assert mock_config_entry.error_reason_translation_key == key
    assert mock_config_entry.error_reason_translation_placeholders is not None
    assert mock_config_entry.error_reason_translation_placeholders["title"] == "ejoin gateway"
    assert reauth_flows(hass, mock_config_entry) == ([SOURCE_REAUTH] if isinstance(error, GatewayAuthError) else [])


async def test_setup_refuses_another_device(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_gateway: MagicMock, models: GatewayModels
) -> None:
    """The address now answers with another gateway's MAC: the entry does not take that gateway over."""
    mock_gateway.connect.return_value = replace(models.device, mac="00:30:f1:99:99:99")
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert mock_config_entry.error_reason_translation_key == "wrong_device"
    assert reauth_flows(hass, mock_config_entry) == []
    mock_gateway.get_status.assert_not_awaited()


@pytest.mark.parametrize("error", [GatewayResponseError("HTTP 500"), GatewayConnectionError("reset")])
async def test_statistics_failing_at_setup_do_not_keep_the_gateway_from_loading(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_gateway: MagicMock, error: GatewayError
) -> None:
    mock_gateway.get_sms_statistics.side_effect = error
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    mock_gateway.get_sms_statistics.assert_awaited_once_with(StatisticsPeriod.CUMULATIVE)
    assert hass.states.get("sensor.ejoin_gateway_port_1_status").state == "registered"
    assert hass.states.get("sensor.ejoin_gateway_port_1_sms_sent").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.ejoin_gateway_sms_sent_today").state == STATE_UNAVAILABLE


@pytest.mark.parametrize("error", [GatewayResponseError("HTTP 500"), GatewayConnectionError("reset")])
async def test_proxy_state_failing_at_setup_does_not_keep_the_gateway_from_loading(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_gateway: MagicMock, error: GatewayError
) -> None:
    mock_gateway.proxy.state.side_effect = error
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    mock_gateway.proxy.state.assert_awaited_once_with(ProxyResource.PROXY, ProxyMode.HTTP)
    assert hass.states.get("sensor.ejoin_gateway_port_1_status").state == "registered"
    assert hass.states.get("switch.ejoin_gateway_http_proxy").state == STATE_UNAVAILABLE
    assert hass.states.get("switch.ejoin_gateway_port_1_sim_lock").state == "off"
