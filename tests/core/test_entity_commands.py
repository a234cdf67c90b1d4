"""Entity commands with the mocked client: what the client is asked, and how its errors reach the user."""

from __future__ import annotations

from dataclasses import replace
from unittest.mock import MagicMock

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.select import ATTR_OPTION, DOMAIN as SELECT_DOMAIN, SERVICE_SELECT_OPTION
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.client import (
    GatewayAuthError,
    GatewayCommandError,
    GatewayConnectionError,
    GatewayRequestError,
    GatewayStatus,
    ProxyMode,
    ProxyResource,
    ProxyState,
    RedialMode,
    SlotRef,
)
from custom_components.gsm_gateway.const import DOMAIN

from .conftest import GatewayModels

LOCK = "switch.ejoin_gateway_port_1_sim_lock"

pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")


async def call(hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: object) -> None:
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True)


def locked(status: GatewayStatus, port: int, slot: int) -> GatewayStatus:
    """`status` with one slot reported locked."""
    old = status.ports[port]
    slots = {**old.slots, slot: replace(old.slots[slot], locked=True)}
    return replace(status, ports={**status.ports, port: replace(old, slots=slots)})


async def test_lock_switch_locks_the_active_slot(
    hass: HomeAssistant, mock_gateway: MagicMock, models: GatewayModels
) -> None:
    assert hass.states.get(LOCK).state == STATE_OFF
    mock_gateway.get_status.reset_mock()
    mock_gateway.get_status.return_value = locked(models.status, 1, 1)

    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, LOCK)
    mock_gateway.lock.assert_awaited_once_with([SlotRef(1, 1)])
    # The device's confirmed state is read at once, not at the next poll.
    mock_gateway.get_status.assert_awaited_once()
    assert hass.states.get(LOCK).state == STATE_ON

    mock_gateway.get_status.return_value = models.status
    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, LOCK)
    mock_gateway.unlock.assert_awaited_once_with([SlotRef(1, 1)])
    assert hass.states.get(LOCK).state == STATE_OFF


@pytest.mark.parametrize(
    ("platform", "service", "entity_id", "data", "method", "args", "kwargs"),
    [
        (SWITCH_DOMAIN, SERVICE_TURN_ON, "switch.ejoin_gateway_port_1_sim_b_lock", {}, "lock", ([SlotRef(1, 2)],), {}),
        (
            SWITCH_DOMAIN,
            SERVICE_TURN_OFF,
            "switch.ejoin_gateway_port_1_led",
            {},
            "set_led",
            ([SlotRef(1)],),
            {"on": False},
        ),
        (
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            "select.ejoin_gateway_port_1_active_sim_slot",
            {ATTR_OPTION: "C"},
            "switch_slot",
            (SlotRef(1, 3),),
            {},
        ),
        (BUTTON_DOMAIN, SERVICE_PRESS, "button.ejoin_gateway_port_1_reset_module", {}, "reset_module", ([1],), {}),
        (
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            "button.ejoin_gateway_port_1_redial",
            {},
            "redial",
            ([SlotRef(1)], RedialMode.FLIGHT),
            {},
        ),
        (
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            "button.ejoin_gateway_port_1_redial_fast",
            {},
            "redial",
            ([SlotRef(1)], RedialMode.FAST),
            {},
        ),
        (BUTTON_DOMAIN, SERVICE_PRESS, "button.ejoin_gateway_reboot", {}, "reboot", (), {}),
        (BUTTON_DOMAIN, SERVICE_PRESS, "button.ejoin_gateway_save_configuration", {}, "save", (), {}),
    ],
    ids=["slot_lock", "led", "active_slot", "reset", "redial", "redial_fast", "reboot", "save"],
)
async def test_commands_call_the_client(
    hass: HomeAssistant,
    mock_gateway: MagicMock,
    platform: str,
    service: str,
    entity_id: str,
    data: dict[str, object],
    method: str,
    args: tuple[object, ...],
    kwargs: dict[str, object],
) -> None:
    await call(hass, platform, service, entity_id, **data)
    getattr(mock_gateway, method).assert_awaited_once_with(*args, **kwargs)


async def test_proxy_switch_sets_the_flag_and_reads_it_back(hass: HomeAssistant, mock_gateway: MagicMock) -> None:
    entity_id = "switch.ejoin_gateway_socks5_proxy_access_log"
    proxy = mock_gateway.proxy
    proxy.state.reset_mock()
    proxy.state.return_value = ProxyState(mode=ProxyMode.SOCKS5, enabled=False)
    await call(hass, SWITCH_DOMAIN, SERVICE_TURN_OFF, entity_id)
    proxy.set_enabled.assert_awaited_once_with(ProxyResource.ACCESS_LOG, ProxyMode.SOCKS5, enabled=False)
    assert proxy.state.await_count == len(ProxyMode) * len(ProxyResource)  # every flag read again
    assert hass.states.get(entity_id).state == STATE_OFF


async def test_a_connection_error_makes_the_gateway_unavailable_at_once(
    hass: HomeAssistant, mock_gateway: MagicMock, mock_config_entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """No waiting for the next poll: every entity of the gateway shows at once that it cannot be reached."""
    mock_gateway.lock.side_effect = GatewayConnectionError("goip_send_cmd.html: cannot talk to 192.168.1.67")
    mock_gateway.get_status.reset_mock()
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, LOCK)
    assert not isinstance(raised.value, ServiceValidationError)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "communication_error"
    assert raised.value.translation_placeholders == {
        "title": "ejoin gateway",
        "error": "goip_send_cmd.html: cannot talk to 192.168.1.67",
    }
    assert str(raised.value).startswith("Cannot talk to ejoin gateway")
    mock_gateway.get_status.assert_not_awaited()  # no poll: the command's error says it all

    entities = er.async_entries_for_config_entry(entity_registry, mock_config_entry.entry_id)
    stateful = [entity.entity_id for entity in entities if entity.domain != Platform.NOTIFY]
    assert {hass.states.get(entity_id).state for entity_id in stateful} == {STATE_UNAVAILABLE}


async def test_a_refused_command_keeps_the_gateway_available(hass: HomeAssistant, mock_gateway: MagicMock) -> None:
    mock_gateway.lock.side_effect = GatewayCommandError(5, "SIM Unregistered", endpoint="goip_send_cmd.html")
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, SWITCH_DOMAIN, SERVICE_TURN_ON, LOCK)
    assert raised.value.translation_key == "command_refused"
    assert raised.value.translation_placeholders is not None
    assert (raised.value.translation_placeholders["code"], raised.value.translation_placeholders["reason"]) == (
        "5",
        "SIM Unregistered",
    )
    assert hass.states.get(LOCK).state == STATE_OFF
    assert hass.states.get("sensor.ejoin_gateway_port_1_status").state == "registered"


async def test_a_refused_login_asks_for_new_credentials(
    hass: HomeAssistant, mock_gateway: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    mock_gateway.reboot.side_effect = GatewayAuthError("refused")
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, BUTTON_DOMAIN, SERVICE_PRESS, "button.ejoin_gateway_reboot")
    assert raised.value.translation_key == "invalid_auth"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [(flow["context"]["source"], flow["context"]["entry_id"]) for flow in flows] == [
        (SOURCE_REAUTH, mock_config_entry.entry_id)
    ]


async def test_a_request_the_client_refuses_is_the_user_s_error(hass: HomeAssistant, mock_gateway: MagicMock) -> None:
    mock_gateway.switch_slot.side_effect = GatewayRequestError("slot 3 is empty")
    with pytest.raises(ServiceValidationError) as raised:
        await call(
            hass, SELECT_DOMAIN, SERVICE_SELECT_OPTION, "select.ejoin_gateway_port_1_active_sim_slot", option="C"
        )
    assert raised.value.translation_key == "invalid_request"
    assert hass.states.get("select.ejoin_gateway_port_1_active_sim_slot").state == "A"
