"""Every path of the config flow, with the client mocked where `connection.py` imports it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import string
from typing import Any
from unittest.mock import AsyncMock, MagicMock

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigSubentry
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.gsm_gateway.client import (
    ConnectionSettings,
    GatewayAuthError,
    GatewayCertificateError,
    GatewayConnectionError,
    GatewayError,
    GatewayNotRecognizedError,
    GatewayResponseError,
    GatewayTimeoutError,
    GatewayUnsupportedError,
    Vendor,
)
from custom_components.gsm_gateway.const import (
    CONF_ADVANCED,
    CONF_ALLOW_ANY_SOURCE,
    CONF_DEFAULT_ENCODING,
    CONF_DEFAULT_PORT,
    CONF_DELETE_AFTER_DELIVERY,
    CONF_DELIVERY_REPORTS,
    CONF_ENCRYPTED_SESSION,
    CONF_MANAGE_PUSH_TARGET,
    CONF_RECEIVE_MODE,
    CONF_RECIPIENT_NUMBER,
    CONF_RECIPIENT_PORT,
    CONF_SLOT_ENTITIES,
    CONF_STATISTICS_INTERVAL,
    CONF_STATUS_INTERVAL,
    CONF_USE_HTTPS,
    CONF_VENDOR,
    CONF_WEBHOOK_ID,
    DOMAIN,
    SUBENTRY_RECIPIENT,
)

from .conftest import HOST, PASSWORD, PORT, USERNAME, VENDORS, WEBHOOK_ID, GatewayModels

CONNECTION = {
    CONF_HOST: HOST,
    CONF_PORT: PORT,
    CONF_USE_HTTPS: False,
    CONF_VERIFY_SSL: True,
    CONF_ENCRYPTED_SESSION: False,
}
CREDENTIALS = {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
USER_INPUT = CONNECTION | CREDENTIALS
LAN_URL = "http://192.168.1.10:8123"

# Client errors and the form errors they show, wherever the flow reaches the gateway.
ERRORS = [
    (GatewayAuthError("refused"), {CONF_PASSWORD: "invalid_auth"}),
    (GatewayNotRecognizedError("a router"), {CONF_HOST: "not_a_gateway"}),
    (GatewayConnectionError("unreachable"), {CONF_HOST: "cannot_connect"}),
    (GatewayTimeoutError("no answer"), {CONF_HOST: "cannot_connect"}),
    (GatewayCertificateError("self-signed"), {"base": "certificate_not_trusted"}),
    (GatewayUnsupportedError("no goip_get_status.html"), {CONF_HOST: "not_a_gateway"}),
    (GatewayResponseError("HTTP 500"), {"base": "unknown"}),
]
ERROR_IDS = [
    "invalid_auth",
    "not_a_gateway",
    "cannot_connect",
    "timeout",
    "certificate",
    "missing_endpoints",
    "unknown",
]


async def start_flow(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return dict(result)


@pytest.mark.parametrize(
    ("vendor", "title", "placeholders"),
    [
        (
            "ejoin",
            "Skyline/EJOIN 192.168.1.67",
            {
                "vendor": "Skyline/EJOIN",
                "model": "-",
                "firmware": "532-604-924-041-100-000",
                "ports": "32",
                "slots": "4",
                "push_url": "",
            },
        ),
        (
            "synway",
            "Synway 192.168.1.67",
            {
                "vendor": "Synway",
                "model": "-",
                "firmware": "-",
                "ports": "8",
                "slots": "1",
                "push_url": "",
            },
        ),
    ],
    indirect=["vendor"],
)
async def test_user_flow_detects_the_gateway(
    hass: HomeAssistant,
    mock_detect_gateway: MagicMock,
    mock_create_gateway: MagicMock,
    mock_setup_entry: AsyncMock,
    models: GatewayModels,
    vendor: Vendor,
    title: str,
    placeholders: dict[str, str],
) -> None:
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["type"] is FlowResultType.FORM
    offers_push = vendor is Vendor.EJOIN
    # One step per way pushes reach Home Assistant, each with its own translated explanation.
    assert result["step_id"] == ("confirm" if offers_push else "confirm_poll")
    assert result["description_placeholders"] == placeholders
    assert (CONF_MANAGE_PUSH_TARGET in result["data_schema"].schema) is offers_push
    # Detection got what the user typed; no client was built for a vendor named in advance.
    (_session, settings), _kwargs = mock_detect_gateway.call_args
    assert settings == ConnectionSettings(host=HOST, port=PORT, username=USERNAME, password=PASSWORD)
    mock_create_gateway.assert_not_called()

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_MANAGE_PUSH_TARGET: True} if offers_push else {}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == title
    data = dict(result["data"])
    webhook_id = data.pop(CONF_WEBHOOK_ID)
    assert data == USER_INPUT | {CONF_VENDOR: vendor.value}
    assert len(webhook_id) == 64
    assert set(webhook_id) <= set(string.hexdigits.lower())
    assert result["options"] == {CONF_MANAGE_PUSH_TARGET: offers_push}
    assert result["result"].unique_id == models.device.unique_id
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.parametrize("vendor", ["dinstar"], indirect=True)
@pytest.mark.parametrize(
    ("internal_url", "step_id", "push_url"),
    [(None, "confirm_no_url", ""), (LAN_URL, "confirm_manual", f"{LAN_URL}/api/webhook/{{webhook_id}}")],
    ids=["no_url", "lan_url"],
)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_confirm_without_a_push_target_api_tells_where_to_push(
    hass: HomeAssistant,
    mock_gateway: MagicMock,
    monkeypatch: pytest.MonkeyPatch,
    internal_url: str | None,
    step_id: str,
    push_url: str,
) -> None:
    """Dinstar pushes, but its push URL is typed into its web interface: the confirm step says which one."""
    result = await start_flow(hass)  # sets up http, which records Home Assistant's address
    monkeypatch.setattr(hass.config, "api", None)
    hass.config.internal_url = internal_url
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["step_id"] == step_id
    assert list(result["data_schema"].schema) == []
    assert result["description_placeholders"]["model"] == "4-port GSM"
    assert result["description_placeholders"]["firmware"] == "-"
    shown = result["description_placeholders"]["push_url"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert shown == push_url.format(webhook_id=result["data"][CONF_WEBHOOK_ID])
    assert result["options"] == {CONF_MANAGE_PUSH_TARGET: False}


@pytest.mark.parametrize("forced", VENDORS)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_a_forced_vendor_skips_detection(
    hass: HomeAssistant,
    mock_gateway: MagicMock,
    mock_create_gateway: MagicMock,
    mock_detect_gateway: MagicMock,
    forced: str,
) -> None:
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT | {CONF_ADVANCED: {CONF_VENDOR: forced}}
    )
    assert result["step_id"] == "confirm"
    mock_detect_gateway.assert_not_called()
    (vendor, _session, settings), _kwargs = mock_create_gateway.call_args
    assert vendor is Vendor(forced)
    assert settings == ConnectionSettings(host=HOST, port=PORT, username=USERNAME, password=PASSWORD)
    mock_gateway.connect.assert_awaited_once()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MANAGE_PUSH_TARGET: False})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The vendor stored is the one the client speaks (the mocked client is EJOIN whatever was forced).
    assert result["data"][CONF_VENDOR] == "ejoin"
    assert CONF_ADVANCED not in result["data"]


@pytest.mark.parametrize(("error", "errors"), ERRORS, ids=ERROR_IDS)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_detection_errors_recover(
    hass: HomeAssistant,
    mock_gateway: MagicMock,
    mock_detect_gateway: MagicMock,
    error: GatewayError,
    errors: dict[str, str],
) -> None:
    result = await start_flow(hass)
    mock_detect_gateway.side_effect = error
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors

    mock_detect_gateway.side_effect = None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["step_id"] == "confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MANAGE_PUSH_TARGET: False})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(("error", "errors"), ERRORS, ids=ERROR_IDS)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_forced_vendor_errors_recover(
    hass: HomeAssistant, mock_gateway: MagicMock, error: GatewayError, errors: dict[str, str]
) -> None:
    forced = USER_INPUT | {CONF_ADVANCED: {CONF_VENDOR: "ejoin"}}
    result = await start_flow(hass)
    mock_gateway.connect.side_effect = error
    result = await hass.config_entries.flow.async_configure(result["flow_id"], forced)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors

    mock_gateway.connect.side_effect = None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], forced)
    assert result["step_id"] == "confirm"


# What people paste into a host field, and what used to reach the URL builder (a 500 and a traceback).
BAD_HOSTS = ["[::1", "user:pw@192.168.1.5", "http://192.168.1.5", "192.168.1.5/admin", "192.168.1.5:8080", "gw lan", ""]


@pytest.mark.parametrize("host", BAD_HOSTS)
async def test_a_malformed_host_is_refused_before_connecting(
    hass: HomeAssistant, mock_detect_gateway: MagicMock, host: str
) -> None:
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT | {CONF_HOST: host})
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    mock_detect_gateway.assert_not_called()


@pytest.mark.parametrize("host", ["192.168.1.5", " gateway.lan ", "::1", "[fe80::1]", "sms-gw_2"])
@pytest.mark.usefixtures("mock_gateway", "mock_setup_entry")
async def test_addresses_and_names_are_accepted(hass: HomeAssistant, mock_detect_gateway: MagicMock, host: str) -> None:
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT | {CONF_HOST: host})
    assert result["step_id"] == "confirm"
    (_session, settings), _kwargs = mock_detect_gateway.call_args
    assert settings.host == host.strip()


@pytest.mark.usefixtures("mock_setup_entry")
async def test_an_encrypted_session_the_gateway_lacks_is_named(
    hass: HomeAssistant, mock_gateway: MagicMock, mock_detect_gateway: MagicMock
) -> None:
    """Detection opens the session instead of probing with the password; a gateway without one says so."""
    result = await start_flow(hass)
    mock_detect_gateway.side_effect = GatewayUnsupportedError("opens no encrypted session")
    encrypted = USER_INPUT | {CONF_ENCRYPTED_SESSION: True}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], encrypted)
    assert result["errors"] == {CONF_ENCRYPTED_SESSION: "encryption_unavailable"}
    (_session, settings), _kwargs = mock_detect_gateway.call_args
    assert settings.encrypted_session is True

    mock_detect_gateway.side_effect = None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], encrypted)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MANAGE_PUSH_TARGET: False})
    assert result["data"][CONF_ENCRYPTED_SESSION] is True


@pytest.mark.parametrize("offered", [True, False])
@pytest.mark.usefixtures("mock_setup_entry")
async def test_a_forced_vendor_without_an_encrypted_session(
    hass: HomeAssistant, mock_gateway: MagicMock, offered: bool
) -> None:
    """A dialect without the session is refused before any request; one whose firmware lacks it, at connect."""
    mock_gateway.offers_encrypted_session = offered
    mock_gateway.connect.side_effect = GatewayUnsupportedError("crypt_sess.json is not available")
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], USER_INPUT | {CONF_ENCRYPTED_SESSION: True, CONF_ADVANCED: {CONF_VENDOR: "dinstar"}}
    )
    assert result["errors"] == {CONF_ENCRYPTED_SESSION: "encryption_unavailable"}
    assert mock_gateway.connect.await_count == int(offered)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_unexpected_answer_is_logged(
    hass: HomeAssistant, mock_detect_gateway: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    mock_detect_gateway.side_effect = GatewayResponseError("goip_get_status.html: HTTP 500")
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected answer from the gateway" in caplog.text


@pytest.mark.usefixtures("mock_setup_entry")
async def test_same_device_is_configured_once_and_moves_address(
    hass: HomeAssistant, mock_gateway: MagicMock, mock_config_entry: MockConfigEntry
) -> None:
    """The gateway is already there (same MAC) under an old address: the entry follows it, no second entry."""
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_HOST: "192.168.1.99", CONF_PORT: 8080}
    )
    result = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "address_updated"
    assert mock_config_entry.data[CONF_HOST] == HOST
    assert mock_config_entry.data[CONF_PORT] == PORT
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


# --- reauth ----------------------------------------------------------------------------------------------------


async def test_reauth(
    hass: HomeAssistant,
    mock_gateway: MagicMock,
    mock_create_gateway: MagicMock,
    mock_config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["title"] == "ejoin gateway"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "new-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_USERNAME] == "admin"
    assert mock_config_entry.data[CONF_PASSWORD] == "new-password"
    # The stored vendor's client checked the new credentials at the stored address.
    (vendor, _session, settings), _kwargs = mock_create_gateway.call_args
    assert vendor is Vendor.EJOIN
    assert (settings.host, settings.username, settings.password) == (HOST, "admin", "new-password")
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1  # reloaded


@pytest.mark.parametrize(("error", "errors"), ERRORS, ids=ERROR_IDS)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth_errors_recover(
    hass: HomeAssistant,
    mock_gateway: MagicMock,
    mock_config_entry: MockConfigEntry,
    error: GatewayError,
    errors: dict[str, str],
) -> None:
    result = await mock_config_entry.start_reauth_flow(hass)
    mock_gateway.connect.side_effect = error
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == errors
    assert mock_config_entry.data[CONF_PASSWORD] == PASSWORD

    mock_gateway.connect.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "right"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_PASSWORD] == "right"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth_refuses_another_device(
    hass: HomeAssistant, mock_gateway: MagicMock, mock_config_entry: MockConfigEntry, models: GatewayModels
) -> None:
    """Another gateway answers at the entry's address: the entry is left alone."""
    mock_gateway.device = replace(models.device, mac="00:30:f1:99:99:99")
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "admin", CONF_PASSWORD: "other"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert mock_config_entry.data[CONF_PASSWORD] == PASSWORD


# --- reconfigure -----------------------------------------------------------------------------------------------


async def test_reconfigure(
    hass: HomeAssistant, mock_gateway: MagicMock, mock_config_entry: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    moved = {CONF_HOST: "192.168.1.68", CONF_PORT: 8080, CONF_USE_HTTPS: True, CONF_VERIFY_SSL: False}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], moved)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert {key: mock_config_entry.data[key] for key in moved} == moved
    assert mock_config_entry.data[CONF_PASSWORD] == PASSWORD  # credentials untouched
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1


@pytest.mark.parametrize(("error", "errors"), ERRORS, ids=ERROR_IDS)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_errors_recover(
    hass: HomeAssistant,
    mock_gateway: MagicMock,
    mock_config_entry: MockConfigEntry,
    error: GatewayError,
    errors: dict[str, str],
) -> None:
    moved = CONNECTION | {CONF_HOST: "192.168.1.68"}
    result = await mock_config_entry.start_reconfigure_flow(hass)
    mock_gateway.connect.side_effect = error
    result = await hass.config_entries.flow.async_configure(result["flow_id"], moved)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == errors
    assert mock_config_entry.data[CONF_HOST] == HOST

    mock_gateway.connect.side_effect = None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], moved)
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_HOST] == "192.168.1.68"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_refuses_another_device(
    hass: HomeAssistant, mock_gateway: MagicMock, mock_config_entry: MockConfigEntry, models: GatewayModels
) -> None:
    mock_gateway.device = replace(models.device, mac="00:30:f1:99:99:99")
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CONNECTION | {CONF_HOST: "10.0.0.9"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert mock_config_entry.data[CONF_HOST] == HOST


# --- options ---------------------------------------------------------------------------------------------------

OPTIONS = {
    CONF_STATUS_INTERVAL: 15.0,
    CONF_STATISTICS_INTERVAL: 600.0,
    CONF_DEFAULT_PORT: "2",
    CONF_DEFAULT_ENCODING: "ucs2",
    CONF_DELIVERY_REPORTS: True,
    CONF_RECEIVE_MODE: "poll",
    CONF_ALLOW_ANY_SOURCE: False,
}


@pytest.mark.parametrize(
    ("vendor", "vendor_options", "step_id", "push_url"),
    [
        (
            "ejoin",
            {CONF_MANAGE_PUSH_TARGET: False, CONF_DELETE_AFTER_DELIVERY: True, CONF_SLOT_ENTITIES: "with_sim"},
            "init",
            "",
        ),
        ("dinstar", {}, "init_manual", f"{LAN_URL}/api/webhook/{WEBHOOK_ID}"),
        ("synway", {CONF_DELETE_AFTER_DELIVERY: False}, "init_poll", ""),
    ],
    indirect=["vendor"],
)
async def test_options_flow(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mock_gateway: MagicMock,
    vendor_options: dict[str, Any],
    step_id: str,
    push_url: str,
) -> None:
    entry = init_integration
    hass.config.internal_url = LAN_URL
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step_id
    assert result["description_placeholders"] == {"push_url": push_url}
    offered = {str(key) for key in result["data_schema"].schema}
    assert offered == set(OPTIONS) | set(vendor_options)

    result = await hass.config_entries.options.async_configure(result["flow_id"], OPTIONS | vendor_options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options == OPTIONS | vendor_options | {CONF_STATUS_INTERVAL: 15, CONF_STATISTICS_INTERVAL: 600}
    assert entry.state is ConfigEntryState.LOADED

    # Reloaded with the new options: the status is read every 15 seconds now (30 by default). Home Assistant
    # schedules a poll up to a second early, and `async_fire_time_changed` adds half a second.
    mock_gateway.get_status.reset_mock()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=13))
    await hass.async_block_till_done()
    mock_gateway.get_status.assert_not_awaited()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=16))
    await hass.async_block_till_done()
    mock_gateway.get_status.assert_awaited_once()


async def test_options_form_suggests_the_current_options(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, mock_gateway: MagicMock
) -> None:
    hass.config_entries.async_update_entry(mock_config_entry, options={CONF_STATUS_INTERVAL: 45})
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {CONF_STATUS_INTERVAL: 45}


# --- recipients ------------------------------------------------------------------------------------------------


async def test_add_a_recipient(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    entry = init_integration
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_RECIPIENT), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Mum", CONF_RECIPIENT_NUMBER: "not a number"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_RECIPIENT_NUMBER: "invalid_number"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Mum", CONF_RECIPIENT_NUMBER: "+49 170 123-4567", CONF_RECIPIENT_PORT: " 2A "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Mum"
    assert result["data"] == {CONF_RECIPIENT_NUMBER: "+491701234567", CONF_RECIPIENT_PORT: "2A"}
    assert result["unique_id"] == "+491701234567"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_a_recipient_without_a_port(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_RECIPIENT), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Dad", CONF_RECIPIENT_NUMBER: "0170 7654321", CONF_RECIPIENT_PORT: "  "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_RECIPIENT_NUMBER: "01707654321"}


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_a_recipient(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> None:
    hass.config_entries.async_add_subentry(
        mock_config_entry,
        ConfigSubentry(
            data={CONF_RECIPIENT_NUMBER: "+491701234567", CONF_RECIPIENT_PORT: "2A"},
            subentry_type=SUBENTRY_RECIPIENT,
            title="Mum",
            unique_id="+491701234567",
        ),
    )
    subentry_id = next(iter(mock_config_entry.subentries))
    result = await mock_config_entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {CONF_NAME: "Mum", CONF_RECIPIENT_NUMBER: "+491701234567", CONF_RECIPIENT_PORT: "2A"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Mum", CONF_RECIPIENT_NUMBER: "x"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_RECIPIENT_NUMBER: "invalid_number"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_NAME: "Mother", CONF_RECIPIENT_NUMBER: "+491700000000"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = mock_config_entry.subentries[subentry_id]
    assert subentry.title == "Mother"
    assert dict(subentry.data) == {CONF_RECIPIENT_NUMBER: "+491700000000"}
    assert subentry.unique_id == "+491700000000"
