"""Voice: "Send an SMS to Mum saying I'm late" through the GsmGatewaySendSms intent, from the built-in agent's
intent handling and from an LLM agent's tool, to the simulator."""

from __future__ import annotations

from pathlib import Path

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, intent, llm
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import parse_yaml
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.const import CONF_RECIPIENT_NUMBER, CONF_RECIPIENT_PORT, DOMAIN, SUBENTRY_RECIPIENT
from custom_components.gsm_gateway.intent import INTENT_SEND_SMS
from custom_components.gsm_gateway.llm import TOOL_NAME
from simulator.ejoin import EjoinSimulator

MUM = "+491709999999"
DOCS = Path(__file__).parents[2] / "README.md"


def add_recipient(hass: HomeAssistant, entry: MockConfigEntry, title: str, number: str, port: str = "") -> None:
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data={CONF_RECIPIENT_NUMBER: number, CONF_RECIPIENT_PORT: port},
            subentry_type=SUBENTRY_RECIPIENT,
            title=title,
            unique_id=number,
        ),
    )


@pytest.fixture
async def voice(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The gateway with two recipients, and the parts of Home Assistant that voice assistants use."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "intent", {})
    add_recipient(hass, config_entry, "Mum", MUM, "2A")
    add_recipient(hass, config_entry, "Dad", "+491708888888")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def sent(sim: EjoinSimulator) -> list[tuple[str, str, str | None]]:
    return [
        (task["to"], task["sms"], task.get("from"))
        for request in sim.requests_to("/goip_post_sms.html")
        for task in request.json()["tasks"]
    ]


async def handle(
    hass: HomeAssistant, recipient: str, message: str, assistant: str | None = None
) -> intent.IntentResponse:
    return await intent.async_handle(
        hass,
        "test",
        INTENT_SEND_SMS,
        {"recipient": {"value": recipient}, "message": {"value": message}},
        assistant=assistant,
    )


async def test_intent_sends_to_the_recipient(hass: HomeAssistant, voice: MockConfigEntry, sim: EjoinSimulator) -> None:
    response = await handle(hass, " mum ", "I'm late")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert response.speech["plain"]["speech"] == "Sent your message to Mum."
    assert [target.id for target in response.success_results] == ["notify.mum"]
    assert sent(sim) == [(MUM, "I'm late", "2A")]
    assert hass.states.get("notify.mum").state != "unknown"  # recorded like any notification


async def test_only_exposed_recipients_for_an_assistant(
    hass: HomeAssistant, voice: MockConfigEntry, sim: EjoinSimulator
) -> None:
    refused = await handle(hass, "Mum", "I'm late", assistant="conversation")
    assert refused.response_type is intent.IntentResponseType.ERROR
    assert refused.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert sent(sim) == []
    async_expose_entity(hass, "conversation", "notify.mum", True)
    done = await handle(hass, "Mum", "I'm late", assistant="conversation")
    assert done.response_type is intent.IntentResponseType.ACTION_DONE
    assert sent(sim) == [(MUM, "I'm late", "2A")]


async def test_unknown_and_ambiguous_recipients(
    hass: HomeAssistant, voice: MockConfigEntry, sim: EjoinSimulator
) -> None:
    unknown = await handle(hass, "Grandma", "hello")
    assert unknown.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert "Grandma" in unknown.speech["plain"]["speech"]
    add_recipient(hass, voice, "mum", "+491707777777")  # a second "Mum"
    await hass.config_entries.async_reload(voice.entry_id)
    await hass.async_block_till_done()
    ambiguous = await handle(hass, "Mum", "hello")
    assert ambiguous.error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert "Several" in ambiguous.speech["plain"]["speech"]
    assert sent(sim) == []


async def test_recipients_the_intent_cannot_use(
    hass: HomeAssistant, voice: MockConfigEntry, sim: EjoinSimulator
) -> None:
    """Recipients of a gateway that is not loaded, or whose notify entity is disabled, are not found."""
    other = MockConfigEntry(domain=DOMAIN, title="other gateway", unique_id="other")
    other.add_to_hass(hass)
    add_recipient(hass, other, "Aunt", "+491706666666")
    hass.config_entries.async_add_subentry(
        voice, ConfigSubentry(data={}, subentry_type="something_else", title="Aunt", unique_id="x")
    )
    er.async_get(hass).async_update_entity("notify.dad", disabled_by=er.RegistryEntryDisabler.USER)
    await hass.config_entries.async_reload(voice.entry_id)
    await hass.async_block_till_done()
    assert (await handle(hass, "Aunt", "hello")).error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert (await handle(hass, "Dad", "hello")).error_code is intent.IntentResponseErrorCode.NO_VALID_TARGETS
    assert sent(sim) == []


async def test_failed_send_is_spoken(hass: HomeAssistant, voice: MockConfigEntry, sim: EjoinSimulator) -> None:
    await sim.stop()
    response = await handle(hass, "Dad", "hello")
    assert response.error_code is intent.IntentResponseErrorCode.FAILED_TO_HANDLE
    assert response.speech["plain"]["speech"].startswith("The SMS to Dad was not sent")


async def test_empty_message_is_refused(hass: HomeAssistant, voice: MockConfigEntry) -> None:
    with pytest.raises(intent.InvalidSlotInfo):
        await handle(hass, "Mum", "   ")


async def test_llm_agent_gets_a_tool(hass: HomeAssistant, voice: MockConfigEntry, sim: EjoinSimulator) -> None:
    assert await async_setup_component(hass, "llm", {})
    context = llm.LLMContext(
        platform="test", context=Context(), language="en", assistant="conversation", device_id=None
    )
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, context)
    assert TOOL_NAME not in [tool.name for tool in api.tools]  # nobody is exposed yet

    async_expose_entity(hass, "conversation", "notify.mum", True)
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, context)
    (tool,) = [tool for tool in api.tools if tool.name == TOOL_NAME]
    assert "saved SMS recipients" in (tool.description or "")
    assert "Mum" in api.api_prompt
    assert "Dad" not in api.api_prompt  # not exposed
    assert MUM not in api.api_prompt

    result = await api.async_call_tool(
        llm.ToolInput(tool_name=TOOL_NAME, tool_args={"recipient": "Mum", "message": "I'm late"})
    )
    assert result.data["response_type"] == "action_done"
    assert sent(sim) == [(MUM, "I'm late", "2A")]


async def test_llm_tool_is_only_for_assist(hass: HomeAssistant, voice: MockConfigEntry) -> None:
    from custom_components.gsm_gateway.llm import async_get_tools

    context = llm.LLMContext(platform="test", context=None, language="en", assistant="conversation", device_id=None)
    assert async_get_tools(hass, context, "another_api") is None


def test_documented_custom_sentences_are_valid() -> None:
    """The sentences users copy into config/custom_sentences/en/ from README.md."""
    text = DOCS.read_text()
    block = text.split("```yaml\n# config/custom_sentences/en/sms.yaml\n", 1)[1].split("```", 1)[0]
    sentences = parse_yaml(block)
    assert sentences["language"] == "en"
    data = sentences["intents"][INTENT_SEND_SMS]["data"]
    assert any("{recipient}" in sentence and "{message}" in sentence for item in data for sentence in item["sentences"])
    assert sentences["lists"]["recipient"] == {"wildcard": True}
    assert sentences["lists"]["message"] == {"wildcard": True}
