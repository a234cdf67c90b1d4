"""LLM tools: text a saved recipient, read the latest SMS received, check a SIM's balance by USSD.

Home Assistant builds an agent's tools from the integrations' `llm.py` platforms (intents are not offered
automatically). Each tool is offered only when the assistant may see what it is about; nothing is exposed by
default:

- send (the `GsmGatewaySendSms` intent): a recipient's notify entity is exposed; the prompt names those recipients
  (names only, never numbers) so the model can pick one.
- read received SMS: a port's *Messages* event entity is exposed; only that port's messages are read.
- check balance: a port's *Balance USSD code* text entity is exposed; the tool sends that code from that port.

Reading and balance are exposed separately on purpose: a balance reply is not private, the two-factor codes in a
port's SMS are. Exposure is checked again when a tool runs, so un-exposing a port takes effect at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, override

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.components.llm import LLMTools
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent
from homeassistant.helpers.llm import (
    LLM_API_ASSIST,
    IntentTool,
    LLMContext,
    Tool,
    ToolAnnotations,
    ToolInput,
    ToolResult,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonObjectType, JsonValueType
import probatio as vol

from .const import ATTR_CONFIG_ENTRY_ID, ATTR_PORT, CONF_RECIPIENT_NUMBER, DOMAIN, SUBENTRY_RECIPIENT
from .coordinator import GsmGatewayConfigEntry
from .intent import INTENT_SEND_SMS, async_recipients
from .recent import RECENT_LIMIT, RecentSms
from .services.ussd import ATTR_CODE, ATTR_TIMEOUT, SERVICE_SEND_USSD
from .text import BALANCE_CODE_KEY
from .validation import clean_number

TOOL_NAME = f"{DOMAIN}__{INTENT_SEND_SMS}"
READ_SMS_TOOL_NAME = f"{DOMAIN}__get_received_sms"
BALANCE_TOOL_NAME = f"{DOMAIN}__check_balance"

ARG_COUNT = "count"
ARG_PORT = "port"
MESSAGES_KEY = "messages"  # the key of the port's message event entity (event.py)
BALANCE_TIMEOUT = 15  # seconds the assistant waits for the network's reply (send_ussd's `timeout`)
# A national number ("0170 …") matches an international one ("+49 170 …") when at least this many digits after
# its leading 0 end the international one, behind a country code of 1 to 3 digits.
MIN_SIGNIFICANT_DIGITS = 6


@dataclass(frozen=True, slots=True)
class ExposedPort:
    """A port whose entity `entity_id` is exposed to the assistant, by the name the user knows it by."""

    entry: GsmGatewayConfigEntry
    port: int
    name: str
    entity_id: str


def _loaded_entries(hass: HomeAssistant) -> list[GsmGatewayConfigEntry]:
    entries: list[GsmGatewayConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    return [entry for entry in entries if entry.state is ConfigEntryState.LOADED]


@callback
def async_exposed_ports(hass: HomeAssistant, assistant: str, platform: str, key: str) -> list[ExposedPort]:
    """Ports of loaded gateways whose `platform` entity `key` exists and is exposed to `assistant`, by name.

    A port is named after its device ("Port 3", or the name the user gave it); when two gateways have a port of the
    same name, the gateway's title goes in front.
    """
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    found: list[ExposedPort] = []
    for entry in _loaded_entries(hass):
        for number in sorted(entry.runtime_data.status.data.ports):
            unique_id = f"{entry.unique_id}_port_{number}_{key}"
            entity_id = entities.async_get_entity_id(platform, DOMAIN, unique_id)
            if entity_id is None or hass.states.get(entity_id) is None:
                continue  # disabled, or not added yet
            if not async_should_expose(hass, assistant, entity_id):
                continue
            registry_entry = entities.async_get(entity_id)
            device_id = registry_entry.device_id if registry_entry is not None else None
            device = devices.async_get(device_id) if device_id is not None else None
            name = (device.name_by_user or device.name) if device is not None else None
            found.append(ExposedPort(entry, number, name or f"Port {number}", entity_id))
    shared = Counter(port.name for port in found)
    return [replace(port, name=f"{port.entry.title} {port.name}") if shared[port.name] > 1 else port for port in found]


def _without_blanks(schema: vol.Schema, tool_args: dict[str, Any]) -> dict[str, Any]:
    """Validate the arguments, leaving out the empty values models often send for optional ones."""
    given = {key: value for key, value in tool_args.items() if not intent.is_blank_slot_value(value)}
    args: dict[str, Any] = schema(given)
    return args


def _chosen(ports: list[ExposedPort], name: str) -> ExposedPort:
    """The exposed port called `name` (it may have been un-exposed since the tool was offered)."""
    for port in ports:
        if port.name == name:
            return port
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key="port_not_exposed", translation_placeholders={"port": name}
    )


# --- who sent it --------------------------------------------------------------------------------------------


def _digits(number: str) -> str | None:
    """The digits of a phone number without its international prefix (`+` or `00`); None for a sender name."""
    cleaned = clean_number(number)
    if cleaned is None:
        return None
    if cleaned.startswith("+"):
        return cleaned[1:]
    return cleaned.removeprefix("00")


def same_number(first: str, second: str) -> bool:
    """True when two ways of writing a phone number are the same number.

    Separators and the international prefix do not count (`+49 170 1234567` = `00491701234567` =
    `491701234567`), and a national number matches its international form (`0170 1234567` = `+49 170 1234567`).
    """
    a, b = _digits(first), _digits(second)
    if not a or not b:
        return False
    if a == b:
        return True
    for national, international in ((a, b), (b, a)):
        significant = national[1:]
        if (
            national.startswith("0")
            and not international.startswith("0")
            and len(significant) >= MIN_SIGNIFICANT_DIGITS
            and international.endswith(significant)
            and 1 <= len(international) - len(significant) <= 3  # behind a country code
        ):
            return True
    return False


def _saved_recipients(hass: HomeAssistant) -> list[tuple[str, str]]:
    """(name, number) of every saved recipient of every loaded gateway, sorted by name."""
    return sorted(
        (subentry.title, str(subentry.data.get(CONF_RECIPIENT_NUMBER, "")))
        for entry in _loaded_entries(hass)
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_RECIPIENT
    )


# --- the tools ----------------------------------------------------------------------------------------------


class ReceivedSmsTool(Tool):
    """Reads the latest SMS received on the ports whose Messages entity is exposed."""

    name = READ_SMS_TOOL_NAME
    title = "Read received SMS"
    description = (
        "Reads the latest text messages (SMS) received by the GSM gateway, newest first, on the SIM ports the user "
        "shared with the assistant. Use it for questions like 'What was the last SMS I got?', 'Read me the code I "
        "just received' or 'Did the bank text me?'. Each message has the sender ('from': the person's name when "
        "the number is a saved recipient, else the number or the sender's name), the text, the port it came in on, "
        "and when it was received ('received': how long ago; 'received_at': local time). Only messages received "
        "since Home Assistant last started are known."
    )
    annotations = ToolAnnotations(read_only=True, destructive=False, idempotent=True, open_world=False)
    integration = DOMAIN

    def __init__(self, ports: list[str]) -> None:
        """Offer the names of the exposed ports."""
        self.parameters = vol.Schema(
            {
                vol.Optional(
                    ARG_COUNT,
                    default=1,
                    description=f"How many messages, newest first: 1 for 'the last SMS', at most {RECENT_LIMIT}",
                ): vol.All(vol.Coerce(int), vol.Clamp(min=1, max=RECENT_LIMIT)),
                vol.Optional(
                    ARG_PORT, description="Only messages received on this SIM port; leave out for every port"
                ): vol.In(ports),
            }
        )

    @override
    async def async_call(self, hass: HomeAssistant, tool_input: ToolInput, llm_context: LLMContext) -> ToolResult:
        args = _without_blanks(self.parameters, tool_input.tool_args)
        ports = async_exposed_ports(hass, llm_context.assistant, "event", MESSAGES_KEY)
        if ARG_PORT in args:
            ports = [_chosen(ports, args[ARG_PORT])]
        count: int = args[ARG_COUNT]
        latest: list[tuple[RecentSms, str]] = []
        by_entry: dict[str, list[ExposedPort]] = {}
        for port in ports:
            by_entry.setdefault(port.entry.entry_id, []).append(port)
        for entry_ports in by_entry.values():
            names = {port.port: port.name for port in entry_ports}
            recent = entry_ports[0].entry.runtime_data.receiver.recent
            latest.extend((message, names[message.port]) for message in recent.latest(names, count))
        latest.sort(key=lambda item: (item[0].received_at, item[0].arrival), reverse=True)
        recipients = _saved_recipients(hass)
        messages: list[JsonValueType] = [_message(message, port, recipients) for message, port in latest[:count]]
        if not messages:
            return ToolResult(
                data={"messages": [], "note": "No SMS was received on these ports since Home Assistant started."}
            )
        return ToolResult(data={"messages": messages})


def _message(message: RecentSms, port: str, recipients: list[tuple[str, str]]) -> JsonObjectType:
    """A message as the model reads it: a saved recipient's name instead of their number."""
    name = next((title for title, number in recipients if same_number(number, message.sender)), None)
    received_at = dt_util.as_local(message.received_at)
    age = dt_util.now() - received_at
    shown: JsonObjectType = {
        "from": name or message.sender,
        "saved_recipient": name is not None,
        "text": message.text,
        "port": port,
        # A gateway's clock a little ahead of Home Assistant's would make a new message "in the future".
        "received": "just now" if age < timedelta(seconds=30) else f"{dt_util.get_age(received_at)} ago",
        "received_at": received_at.isoformat(timespec="seconds"),
    }
    if message.incomplete:
        shown["incomplete"] = True  # some parts of a long message never arrived
    return shown


class CheckBalanceTool(Tool):
    """Sends a port's balance USSD code and returns the network's reply."""

    name = BALANCE_TOOL_NAME
    title = "Check SIM balance"
    description = (
        "Checks the balance (prepaid credit, remaining data or minutes) of a SIM in the GSM gateway: sends the "
        "port's balance USSD code, which the user set, to the mobile network and returns the network's reply as "
        "text. Use it for questions like 'What's the balance of SIM 3?' or 'How much credit is left on the work "
        "SIM?'. The network takes a few seconds to answer."
    )
    # It only asks the network (nothing changes), but each call sends a code from the SIM and keeps the port busy
    # until the reply arrives.
    annotations = ToolAnnotations(read_only=True, destructive=False, idempotent=False, open_world=True)
    integration = DOMAIN

    def __init__(self, ports: list[str]) -> None:
        """Offer the names of the ports whose balance code is exposed."""
        self.parameters = vol.Schema(
            {vol.Required(ARG_PORT, description="The SIM port whose balance to check"): vol.In(ports)}
        )

    @override
    async def async_call(self, hass: HomeAssistant, tool_input: ToolInput, llm_context: LLMContext) -> ToolResult:
        args = _without_blanks(self.parameters, tool_input.tool_args)
        port = _chosen(async_exposed_ports(hass, llm_context.assistant, "text", BALANCE_CODE_KEY), args[ARG_PORT])
        state = hass.states.get(port.entity_id)
        code = state.state if state is not None else STATE_UNAVAILABLE
        placeholders = {"port": port.name}
        if code == STATE_UNAVAILABLE:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="balance_unavailable", translation_placeholders=placeholders
            )
        if code in ("", STATE_UNKNOWN):
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="balance_code_missing", translation_placeholders=placeholders
            )
        # Through the action, so its one-session-per-port rule and its way of waiting for each vendor's reply hold.
        response = await hass.services.async_call(
            DOMAIN,
            SERVICE_SEND_USSD,
            {
                ATTR_CONFIG_ENTRY_ID: port.entry.entry_id,
                ATTR_PORT: str(port.port),
                ATTR_CODE: code,
                ATTR_TIMEOUT: BALANCE_TIMEOUT,
            },
            blocking=True,
            return_response=True,
            context=llm_context.context,
        )
        result = response or {}
        if result.get("status") == "replied":
            return ToolResult(data={"port": port.name, "reply": result.get("reply")})
        if result.get("status") == "pending":
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="balance_timeout",
                translation_placeholders={**placeholders, "seconds": str(BALANCE_TIMEOUT)},
            )
        raise HomeAssistantError(
            translation_domain=DOMAIN, translation_key="balance_no_reply", translation_placeholders=placeholders
        )


@callback
def async_get_tools(hass: HomeAssistant, llm_context: LLMContext, api_id: str) -> LLMTools | None:
    """The tools whose subject the assistant can see: recipients, ports' messages, ports' balance codes."""
    if api_id != LLM_API_ASSIST:
        return None
    assistant = llm_context.assistant
    tools: list[Tool] = []
    prompt: str | None = None
    recipients = async_recipients(hass, assistant)
    handler = next((item for item in intent.async_get(hass) if item.intent_type == INTENT_SEND_SMS), None)
    if recipients and handler is not None:
        names = ", ".join(sorted({recipient.name for recipient in recipients}))
        tools.append(
            IntentTool(
                TOOL_NAME,
                handler,
                title="Send SMS",
                integration=DOMAIN,
                # Sending a text reaches the outside world and cannot be undone, but deletes nothing.
                annotations=ToolAnnotations(destructive=False, open_world=True),
            )
        )
        prompt = f"To send a text message (SMS) to one of these saved recipients, call {TOOL_NAME}: {names}."
    if readable := async_exposed_ports(hass, assistant, "event", MESSAGES_KEY):
        tools.append(ReceivedSmsTool([port.name for port in readable]))
    if balances := async_exposed_ports(hass, assistant, "text", BALANCE_CODE_KEY):
        tools.append(CheckBalanceTool([port.name for port in balances]))
    if not tools:
        return None
    return LLMTools(tools=tools, prompt=prompt)
