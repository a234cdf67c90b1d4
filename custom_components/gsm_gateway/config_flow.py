"""Config flow: detect the gateway, confirm it, and manage reauth, reconfigure, options and recipients."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
    SubentryFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PASSWORD, CONF_PORT, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .client import (
    VENDOR_NAMES,
    Capability,
    Encoding,
    Gateway,
    GatewayAuthError,
    GatewayCertificateError,
    GatewayCommandError,
    GatewayConnectionError,
    GatewayError,
    GatewayNotRecognizedError,
    GatewayUnsupportedError,
    Vendor,
)
from .connection import async_detect_gateway, build_gateway
from .const import (
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
    DEFAULT_HTTP_PORT,
    DEFAULT_PORT_AUTO,
    DEFAULT_STATISTICS_INTERVAL,
    DEFAULT_STATUS_INTERVAL,
    DEFAULT_USERNAME,
    DOMAIN,
    LOGGER,
    MIN_STATISTICS_INTERVAL,
    MIN_STATUS_INTERVAL,
    SUBENTRY_RECIPIENT,
    ReceiveMode,
    SlotEntities,
    default_slot_entities,
)
from .push_target import push_url
from .validation import clean_host, clean_number

VENDOR_AUTO = "auto"

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password"))


def _connection_schema(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    return {
        vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)): str,
        vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_HTTP_PORT)): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=65535)
        ),
        vol.Required(CONF_USE_HTTPS, default=defaults.get(CONF_USE_HTTPS, False)): bool,
        vol.Required(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)): bool,
        vol.Required(CONF_ENCRYPTED_SESSION, default=defaults.get(CONF_ENCRYPTED_SESSION, False)): bool,
    }


def _credentials_schema(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    return {
        vol.Required(CONF_USERNAME, default=defaults.get(CONF_USERNAME, DEFAULT_USERNAME)): str,
        vol.Required(CONF_PASSWORD): _PASSWORD,
    }


def _user_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            **_connection_schema(defaults),
            **_credentials_schema(defaults),
            vol.Optional(CONF_ADVANCED): section(
                vol.Schema(
                    {
                        vol.Required(CONF_VENDOR, default=VENDOR_AUTO): SelectSelector(
                            SelectSelectorConfig(
                                options=[VENDOR_AUTO, *(vendor.value for vendor in Vendor)],
                                translation_key="vendor",
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        )
                    }
                ),
                {"collapsed": True},
            ),
        }
    )


# Form errors of a failed connection (field, key); first match wins: subclasses before their bases.
CONNECT_ERRORS: tuple[tuple[type[GatewayError], str, str], ...] = (
    (GatewayAuthError, CONF_PASSWORD, "invalid_auth"),
    (GatewayNotRecognizedError, CONF_HOST, "not_a_gateway"),
    (GatewayUnsupportedError, CONF_HOST, "not_a_gateway"),  # endpoints of the chosen dialect are missing
    (GatewayCertificateError, "base", "certificate_not_trusted"),
    (GatewayConnectionError, CONF_HOST, "cannot_connect"),
)


async def _async_connect(
    flow: ConfigFlow, data: Mapping[str, Any], vendor: str
) -> tuple[Gateway | None, dict[str, str]]:
    """Reach the gateway with `data`; return it, or field-specific errors."""
    if clean_host(str(data[CONF_HOST])) is None:
        return None, {CONF_HOST: "invalid_host"}
    encrypted = bool(data.get(CONF_ENCRYPTED_SESSION))
    try:
        if vendor == VENDOR_AUTO:
            gateway = await async_detect_gateway(flow.hass, data)
        else:
            gateway = build_gateway(flow.hass, {**data, CONF_VENDOR: vendor})
            if encrypted and not gateway.offers_encrypted_session:
                return None, {CONF_ENCRYPTED_SESSION: "encryption_unavailable"}
            await gateway.connect()
    except GatewayError as err:
        if encrypted and isinstance(err, GatewayUnsupportedError):  # no `crypt_sess.json` on this firmware
            return None, {CONF_ENCRYPTED_SESSION: "encryption_unavailable"}
        for error_type, field, key in CONNECT_ERRORS:
            if isinstance(err, error_type):
                return None, {field: key}
        LOGGER.exception("Unexpected answer from the gateway")
        return None, {"base": "unknown"}
    return gateway, {}


class GsmGatewayConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a gateway from the UI."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing detected; the user step sets `_gateway` before showing the confirm step."""
        self._data: dict[str, Any] = {}
        self._gateway: Gateway
        self._push_setup = PushSetup.POLL
        self._push_url = ""

    @staticmethod
    @callback
    def async_get_options_flow(_config_entry: ConfigEntry) -> GsmGatewayOptionsFlow:
        """Options: intervals, sending defaults, receiving."""
        return GsmGatewayOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(cls, _config_entry: ConfigEntry) -> dict[str, type[ConfigSubentryFlow]]:
        """Recipients, each one a notify entity."""
        return {SUBENTRY_RECIPIENT: RecipientSubentryFlow}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask where the gateway is and how to log in; detect its vendor."""
        errors: dict[str, str] = {}
        if user_input is not None:
            vendor = user_input.get(CONF_ADVANCED, {}).get(CONF_VENDOR, VENDOR_AUTO)
            data = {key: value for key, value in user_input.items() if key != CONF_ADVANCED}
            data[CONF_HOST] = str(data[CONF_HOST]).strip()
            gateway, errors = await _async_connect(self, data, vendor)
            if gateway is not None:
                await self.async_set_unique_id(gateway.device.unique_id)
                self._abort_if_known(data)
                self._data = {**data, CONF_VENDOR: gateway.vendor.value, CONF_WEBHOOK_ID: webhook.async_generate_id()}
                self._gateway = gateway
                self._push_setup, self._push_url = push_setup(
                    self.hass, self._data, gateway, target_readable=await _async_target_readable(gateway)
                )
                return await self._async_confirm(CONFIRM_STEPS[self._push_setup])
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_user_schema(user_input or {}), user_input),
            errors=errors,
        )

    def _abort_if_known(self, data: Mapping[str, Any]) -> None:
        """Stop when this gateway is set up already, updating its address when the user found it at a new one."""
        address = {CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
        for entry in self._async_current_entries(include_ignore=False):
            if entry.unique_id == self.unique_id and any(
                entry.data.get(key) != value for key, value in address.items()
            ):
                self._abort_if_unique_id_configured(updates=address, error="address_updated")
        self._abort_if_unique_id_configured()

    async def async_step_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Home Assistant can set the gateway's push URL: ask whether it may."""
        return await self._async_confirm("confirm", user_input)

    async def async_step_confirm_unrestorable(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """As `confirm`, for a gateway that does not say where it pushes today."""
        return await self._async_confirm("confirm_unrestorable", user_input)

    async def async_step_confirm_manual(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The user types Home Assistant's push URL into the gateway's web interface."""
        return await self._async_confirm("confirm_manual", user_input)

    async def async_step_confirm_no_url(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Home Assistant has no URL the gateway can reach: messages are polled until it has one."""
        return await self._async_confirm("confirm_no_url", user_input)

    async def async_step_confirm_poll(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The gateway cannot push: messages are polled."""
        return await self._async_confirm("confirm_poll", user_input)

    async def _async_confirm(self, step_id: str, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show what was found and how pushes will reach Home Assistant; create the entry when confirmed."""
        gateway = self._gateway
        device = gateway.device
        if user_input is not None:
            title = f"{VENDOR_NAMES[gateway.vendor]} {self._data[CONF_HOST]}"
            return self.async_create_entry(
                title=title,
                data=self._data,
                options={CONF_MANAGE_PUSH_TARGET: bool(user_input.get(CONF_MANAGE_PUSH_TARGET, False))},
            )
        schema: dict[vol.Marker, Any] = {}
        if self._push_setup in {PushSetup.SET_BY_HA, PushSetup.SET_BY_HA_UNRESTORABLE}:
            schema[vol.Required(CONF_MANAGE_PUSH_TARGET, default=True)] = bool
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(schema),
            description_placeholders={
                "vendor": VENDOR_NAMES[gateway.vendor],
                "model": device.model or "-",
                "firmware": device.firmware or "-",
                "ports": str(device.port_count),
                "slots": str(device.slot_count),
                "push_url": self._push_url,
            },
        )

    async def async_step_reauth(self, _entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The gateway refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for new credentials and check them."""
        entry = self._get_reauth_entry()
        errors = None
        if user_input is not None and (errors := await self._async_update_entry(entry, user_input)) is None:
            return self.async_update_reload_and_abort(entry, data_updates=user_input)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(_credentials_schema(user_input or entry.data)),
            description_placeholders={"title": entry.title},
            errors=errors,
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Move the entry to a new address (same device)."""
        entry = self._get_reconfigure_entry()
        errors = None
        if user_input is not None and (errors := await self._async_update_entry(entry, user_input)) is None:
            return self.async_update_reload_and_abort(entry, data_updates=user_input)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=vol.Schema(_connection_schema(user_input or entry.data)),
            errors=errors,
        )

    async def _async_update_entry(self, entry: ConfigEntry, changes: Mapping[str, Any]) -> dict[str, str] | None:
        """Check that the entry's gateway answers with `changes` applied: None when it does, else form errors.

        Aborts the flow when another gateway answers there (reauth and reconfigure never move an entry to a
        different device).
        """
        gateway, errors = await _async_connect(self, {**entry.data, **changes}, entry.data[CONF_VENDOR])
        if gateway is None:
            return errors
        await self.async_set_unique_id(gateway.device.unique_id)
        self._abort_if_unique_id_mismatch(reason="wrong_device")
        return None


def _options_schema(entry: ConfigEntry) -> vol.Schema:
    gateway: Gateway = entry.runtime_data.gateway
    device = gateway.device
    capabilities = gateway.capabilities
    ports = [DEFAULT_PORT_AUTO, *(str(port) for port in range(1, device.port_count + 1))]
    schema: dict[vol.Marker, Any] = {
        vol.Required(CONF_STATUS_INTERVAL, default=DEFAULT_STATUS_INTERVAL): NumberSelector(
            NumberSelectorConfig(
                min=MIN_STATUS_INTERVAL, max=3600, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s"
            )
        ),
        vol.Required(CONF_STATISTICS_INTERVAL, default=DEFAULT_STATISTICS_INTERVAL): NumberSelector(
            NumberSelectorConfig(
                min=MIN_STATISTICS_INTERVAL, max=86400, step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s"
            )
        ),
        vol.Required(CONF_DEFAULT_PORT, default=DEFAULT_PORT_AUTO): SelectSelector(
            SelectSelectorConfig(options=ports, custom_value=True, mode=SelectSelectorMode.DROPDOWN)
        ),
        vol.Required(CONF_DEFAULT_ENCODING, default=Encoding.AUTO.value): SelectSelector(
            SelectSelectorConfig(options=[encoding.value for encoding in Encoding], translation_key="encoding")
        ),
        vol.Required(CONF_DELIVERY_REPORTS, default=False): BooleanSelector(),
        vol.Required(CONF_RECEIVE_MODE, default=ReceiveMode.PUSH_AND_POLL.value): SelectSelector(
            SelectSelectorConfig(options=[mode.value for mode in ReceiveMode], translation_key="receive_mode")
        ),
    }
    if Capability.PUSH_TARGET_API in capabilities:
        schema[vol.Required(CONF_MANAGE_PUSH_TARGET, default=False)] = BooleanSelector()
    schema[vol.Required(CONF_ALLOW_ANY_SOURCE, default=False)] = BooleanSelector()
    if Capability.INBOX_DELETE in capabilities:
        schema[vol.Required(CONF_DELETE_AFTER_DELIVERY, default=False)] = BooleanSelector()
    if device.slot_count > 1 and Capability.LOCK_SLOT in capabilities:  # gateways with entities per SIM slot
        schema[vol.Required(CONF_SLOT_ENTITIES, default=default_slot_entities(device.slot_count).value)] = (
            SelectSelector(
                SelectSelectorConfig(options=[mode.value for mode in SlotEntities], translation_key="slot_entities")
            )
        )
    return vol.Schema(schema)


class PushSetup(StrEnum):
    """How pushes reach Home Assistant from a gateway; each has its own translated explanation (step)."""

    SET_BY_HA = "set_by_ha"  # Home Assistant sets the push URL through the API
    SET_BY_HA_UNRESTORABLE = "set_by_ha_unrestorable"  # ... but the gateway does not say what it was before
    MANUAL = "manual"  # the user types the URL into the gateway's web interface
    NO_URL = "no_url"  # Home Assistant has no URL the gateway can reach
    POLL = "poll"  # the gateway cannot push


CONFIRM_STEPS = {
    PushSetup.SET_BY_HA: "confirm",
    PushSetup.SET_BY_HA_UNRESTORABLE: "confirm_unrestorable",
    PushSetup.MANUAL: "confirm_manual",
    PushSetup.NO_URL: "confirm_no_url",
    PushSetup.POLL: "confirm_poll",
}
OPTIONS_STEPS = {
    PushSetup.SET_BY_HA: "init",
    PushSetup.SET_BY_HA_UNRESTORABLE: "init",
    PushSetup.MANUAL: "init_manual",
    PushSetup.NO_URL: "init_no_url",
    PushSetup.POLL: "init_poll",
}


def push_setup(
    hass: HomeAssistant, data: Mapping[str, Any], gateway: Gateway, *, target_readable: bool = True
) -> tuple[PushSetup, str]:
    """How pushes reach Home Assistant from this gateway, and the URL to type where the user must type it."""
    capabilities = gateway.capabilities
    if not {Capability.SMS_PUSH, Capability.STATUS_PUSH} & capabilities:
        return PushSetup.POLL, ""
    if Capability.PUSH_TARGET_API in capabilities:
        return (PushSetup.SET_BY_HA if target_readable else PushSetup.SET_BY_HA_UNRESTORABLE), ""
    url = push_url(hass, data)
    return (PushSetup.NO_URL, "") if url is None else (PushSetup.MANUAL, url)


async def _async_target_readable(gateway: Gateway) -> bool:
    """Whether the gateway says where it pushes now (so that target can be given back on removal)."""
    if Capability.PUSH_TARGET_API not in gateway.capabilities:
        return True
    try:
        await gateway.get_push_target()
    except GatewayCommandError, GatewayUnsupportedError:
        return False
    except GatewayError:
        return True  # cannot tell now; the take-over finds out and says so in the log
    return True


class GsmGatewayOptionsFlow(OptionsFlowWithReload):
    """Change how the integration polls, sends and receives; the entry reloads afterwards."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form with every option; its explanation says how pushes reach Home Assistant."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")  # the options depend on what the gateway can do
        setup, url = push_setup(self.hass, self.config_entry.data, self.config_entry.runtime_data.gateway)
        return await self._async_options(OPTIONS_STEPS[setup], url, user_input)

    async def async_step_init_manual(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The options, for a gateway whose push URL the user types in."""
        return await self._async_options("init_manual", "", user_input)

    async def async_step_init_no_url(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The options, while Home Assistant has no URL the gateway can reach."""
        return await self._async_options("init_no_url", "", user_input)

    async def async_step_init_poll(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The options, for a gateway that cannot push."""
        return await self._async_options("init_poll", "", user_input)

    async def _async_options(self, step_id: str, url: str, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        if user_input is not None:
            for key in (CONF_STATUS_INTERVAL, CONF_STATISTICS_INTERVAL):
                user_input[key] = int(user_input[key])
            return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                _options_schema(self.config_entry), self.config_entry.options
            ),
            description_placeholders={"push_url": url},
        )


class RecipientSubentryFlow(ConfigSubentryFlow):
    """Add or edit a person to text: name, number and optionally the port to send from."""

    def _schema(self) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_NAME): str,
                vol.Required(CONF_RECIPIENT_NUMBER): TextSelector(TextSelectorConfig(type=TextSelectorType.TEL)),
                vol.Optional(CONF_RECIPIENT_PORT): str,
            }
        )

    def _validate(self, user_input: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        number = clean_number(user_input[CONF_RECIPIENT_NUMBER])
        if number is None:
            return {}, {CONF_RECIPIENT_NUMBER: "invalid_number"}
        data = {CONF_RECIPIENT_NUMBER: number}
        if port := (user_input.get(CONF_RECIPIENT_PORT) or "").strip():
            data[CONF_RECIPIENT_PORT] = port
        return data, {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a recipient."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._validate(user_input)
            if not errors:
                # The gateway reloads once the recipient is stored (see `async_setup_entry`): its notify entity appears.
                return self.async_create_entry(
                    title=user_input[CONF_NAME], data=data, unique_id=data[CONF_RECIPIENT_NUMBER]
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(self._schema(), user_input),
            errors=errors,
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Change a recipient's name, number or port."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._validate(user_input)
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=user_input[CONF_NAME],
                    data=data,
                    unique_id=data[CONF_RECIPIENT_NUMBER],
                )
        suggested = user_input or {CONF_NAME: subentry.title, **subentry.data}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(self._schema(), suggested),
            errors=errors,
        )
