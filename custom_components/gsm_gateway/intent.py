"""Voice: the `GsmGatewaySendSms` intent ("Send an SMS to Mum saying I'm late").

`notify.send_message` is an action, not an intent, so neither Assist's built-in agent nor an LLM agent can call
it for a recipient's notify entity. This intent can: its slots are `recipient` (the title of a recipient, i.e. a
config subentry, such as "Mum") and `message`. It sends through that recipient's notify entity, so the entity
records the message like any other. Only recipients whose notify entity is exposed to the assistant asking are
found (an intent handled without an assistant, e.g. from a script, may use every recipient).

Registered through Home Assistant's intent platform (`async_setup_intents`, called by the `intent` integration,
which every conversation agent depends on), so it exists exactly when an agent can use it. The built-in agent
needs the sentences in README.md (config/custom_sentences/en/); LLM agents get the intent as a tool from
`llm.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, intent
import probatio as vol

from .const import DOMAIN, SUBENTRY_RECIPIENT
from .coordinator import GsmGatewayConfigEntry

INTENT_SEND_SMS = "GsmGatewaySendSms"
SLOT_RECIPIENT = "recipient"
SLOT_MESSAGE = "message"
NOTIFY_DOMAIN = "notify"


@dataclass(frozen=True, slots=True)
class Recipient:
    """A saved recipient and the notify entity that texts them."""

    name: str
    entity_id: str


def _normalized(name: str) -> str:
    return " ".join(name.split()).casefold()


@callback
def async_recipients(hass: HomeAssistant, assistant: str | None) -> list[Recipient]:
    """Recipients of every loaded gateway whose notify entity exists (and is exposed to `assistant`, if given)."""
    registry = er.async_get(hass)
    recipients: list[Recipient] = []
    entries: list[GsmGatewayConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    for entry in entries:
        if entry.state is not ConfigEntryState.LOADED:
            continue
        for subentry in entry.subentries.values():
            if subentry.subentry_type != SUBENTRY_RECIPIENT:
                continue
            unique_id = f"{entry.unique_id}_recipient_{subentry.subentry_id}"
            entity_id = registry.async_get_entity_id(NOTIFY_DOMAIN, DOMAIN, unique_id)
            if entity_id is None or hass.states.get(entity_id) is None:
                continue
            if assistant is not None and not async_should_expose(hass, assistant, entity_id):
                continue
            recipients.append(Recipient(name=subentry.title, entity_id=entity_id))
    return recipients


class SendSmsIntentHandler(intent.IntentHandler):
    """Texts a saved recipient."""

    intent_type = INTENT_SEND_SMS
    description = (
        "Sends a text message (SMS) through the GSM gateway to one of the user's saved SMS recipients. "
        "'recipient' is the recipient's name as saved (for example Mum); 'message' is the text to send, "
        "written as the user wants it to arrive."
    )

    @property
    @override
    def slot_schema(self) -> dict[vol.Marker, object]:
        return {
            vol.Required(SLOT_RECIPIENT): intent.non_empty_string,
            vol.Required(SLOT_MESSAGE): intent.non_empty_string,
        }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        hass = intent_obj.hass
        slots = self.async_validate_slots(intent_obj.slots)
        name: str = slots[SLOT_RECIPIENT]["value"].strip()
        message: str = slots[SLOT_MESSAGE]["value"].strip()
        response = intent_obj.create_response()
        matches = [
            recipient
            for recipient in async_recipients(hass, intent_obj.assistant)
            if _normalized(recipient.name) == _normalized(name)
        ]
        if len(matches) != 1:
            code = intent.IntentResponseErrorCode.NO_VALID_TARGETS
            speech = (
                f"I don't have an SMS recipient called {name}."
                if not matches
                else f"Several SMS recipients are called {name}; rename one of them."
            )
            response.async_set_error(code, speech)
            return response
        recipient = matches[0]
        try:
            await hass.services.async_call(
                NOTIFY_DOMAIN,
                "send_message",
                {"entity_id": recipient.entity_id, "message": message},
                blocking=True,
                context=intent_obj.context,
            )
        except HomeAssistantError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                f"The SMS to {recipient.name} was not sent: {err}",
            )
            return response
        response.async_set_results(
            success_results=[
                intent.IntentResponseTarget(
                    type=intent.IntentResponseTargetType.ENTITY, name=recipient.name, id=recipient.entity_id
                )
            ]
        )
        response.async_set_speech(f"Sent your message to {recipient.name}.")
        return response


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intent; Home Assistant's `intent` integration calls this for every integration's intent.py."""
    intent.async_register(hass, SendSmsIntentHandler())
