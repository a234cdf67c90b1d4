"""Actions with the mocked client: what only a client mock can set up (a feature missing despite its capability,
replies of other ports)."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.gsm_gateway.client import Capability, SlotRef, UssdResult
from custom_components.gsm_gateway.const import DOMAIN, EVENT_USSD_RECEIVED
from custom_components.gsm_gateway.services import ussd

from .conftest import GatewayModels


async def call(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(DOMAIN, service, data, blocking=True, return_response=True)


async def test_a_capability_without_its_feature_object_is_refused(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_gateway: MagicMock, models: GatewayModels
) -> None:
    """The gateway claims the SIM Toolkit but offers no `sim_toolkit` feature: the action says it is unsupported."""
    mock_gateway.capabilities = models.capabilities | {Capability.STK}
    assert mock_gateway.sim_toolkit is None
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "sim_toolkit", port="1")
    assert raised.value.translation_key == "action_unsupported"
    assert raised.value.translation_placeholders == {"title": "ejoin gateway", "action": "sim_toolkit"}


@pytest.fixture
def polled_ussd(monkeypatch: pytest.MonkeyPatch, mock_gateway: MagicMock) -> MagicMock:
    """A gateway whose USSD replies are read back later (Synway), polled quickly."""
    monkeypatch.setattr(ussd, "USSD_POLL_INTERVAL", 0.01)
    mock_gateway.send_ussd.return_value = UssdResult(port_label="2A", accepted=True)
    return mock_gateway


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("vendor", ["synway"], indirect=True)
async def test_the_reply_of_another_port_is_not_ours(
    hass: HomeAssistant, polled_ussd: MagicMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The device lists the latest reply of every port (and rows it cannot label): port 2 waits for its own."""
    monkeypatch.setattr(ussd, "USSD_FOLLOW_LIMIT", 0.2)
    polled_ussd.fetch_ussd_replies.return_value = {"1A": "one", "odd label": "?"}
    events = async_capture_events(hass, EVENT_USSD_RECEIVED)
    response = await call(hass, "send_ussd", port="2", code="*100#", timeout=5)
    assert response == {"port": "2A", "status": "pending", "reply": None, "reply_event": EVENT_USSD_RECEIVED}
    polled_ussd.send_ussd.assert_awaited_once_with(SlotRef(2), "*100#")
    polled_ussd.fetch_ussd_replies.assert_awaited_with([SlotRef(2)])
    await hass.async_block_till_done()
    assert events == []


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("vendor", ["synway"], indirect=True)
async def test_the_reply_of_the_port_is_found_among_others(hass: HomeAssistant, polled_ussd: MagicMock) -> None:
    before = {"1A": "one", "odd label": "?"}
    polled_ussd.fetch_ussd_replies.side_effect = [before, before, {**before, "2A": "two"}]
    events = async_capture_events(hass, EVENT_USSD_RECEIVED)
    response = await call(hass, "send_ussd", port="2", code="*100#", timeout=5)
    assert response == {"port": "2A", "status": "replied", "reply": "two"}
    await hass.async_block_till_done()
    assert [(event.data["port"], event.data["text"]) for event in events] == [("2A", "two")]
