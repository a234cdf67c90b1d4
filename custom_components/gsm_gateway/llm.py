"""LLM tools: the `GsmGatewaySendSms` intent, offered to LLM agents that can see at least one SMS recipient.

Home Assistant builds an agent's tools from the integrations' `llm.py` platforms; intents are not offered
automatically. The tool is offered only when a recipient's notify entity is exposed to the assistant, and the
prompt names those recipients (names only, never numbers) so the model can pick one.
"""

from __future__ import annotations

from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import intent
from homeassistant.helpers.llm import LLM_API_ASSIST, IntentTool, LLMContext, ToolAnnotations

from .const import DOMAIN
from .intent import INTENT_SEND_SMS, async_recipients

TOOL_NAME = f"{DOMAIN}__{INTENT_SEND_SMS}"


@callback
def async_get_tools(hass: HomeAssistant, llm_context: LLMContext, api_id: str) -> LLMTools | None:
    """The send-SMS tool, when the assistant may text someone."""
    if api_id != LLM_API_ASSIST:
        return None
    recipients = async_recipients(hass, llm_context.assistant)
    handler = next((item for item in intent.async_get(hass) if item.intent_type == INTENT_SEND_SMS), None)
    if not recipients or handler is None:
        return None
    names = ", ".join(sorted({recipient.name for recipient in recipients}))
    tool = IntentTool(
        TOOL_NAME,
        handler,
        title="Send SMS",
        integration=DOMAIN,
        # Sending a text reaches the outside world and cannot be undone, but deletes nothing.
        annotations=ToolAnnotations(destructive=False, open_world=True),
    )
    return LLMTools(
        tools=[tool],
        prompt=f"To send a text message (SMS) to one of these saved recipients, call {TOOL_NAME}: {names}.",
    )
