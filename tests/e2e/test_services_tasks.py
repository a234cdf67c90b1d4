"""Queued send tasks end to end: list, pause, resume and delete against the EJOIN simulator's queue."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.base import RecordedRequest
from simulator.ejoin import EjoinSimulator

from .test_services_common import call


@pytest.fixture
async def queued(hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator) -> list[str]:
    """Three tasks queued on port 2 that the slow simulator has not sent yet; their ids."""
    sim.send_interval = 60.0
    response = await call(
        hass, "send_sms", recipients=["+491701111111", "+491702222222", "+491703333333"], message="Hi", port="2"
    )
    return response["task_ids"]


def listings(sim: EjoinSimulator) -> list[RecordedRequest]:
    """Task lists read with their texts: the actions' (the SMS waiting sensor reads them without)."""
    return [request for request in sim.requests_to("/goip_get_tasks.html") if request.query["has_content"] == "1"]


async def test_list_tasks(hass: HomeAssistant, queued: list[str], sim: EjoinSimulator) -> None:
    response = await call(hass, "list_sms_tasks", ports="2")
    assert [task["task_id"] for task in response["tasks"]] == queued
    assert (response["total"], response["truncated"]) == (3, False)
    first = response["tasks"][0]
    assert first["port"] == "2"
    assert first["paused"] is False
    assert first["text"] == "Hi"
    (request,) = listings(sim)
    assert request.query["port"] == "2"


async def test_list_every_port(hass: HomeAssistant, queued: list[str], sim: EjoinSimulator) -> None:
    response = await call(hass, "list_sms_tasks")
    assert [task["task_id"] for task in response["tasks"]] == queued
    assert (response["total"], response["truncated"]) == (3, False)  # ports 1, 3 and 4 have none
    assert sorted(request.query["port"] for request in listings(sim)) == ["1", "2", "3", "4"]


async def test_pause_resume_delete(hass: HomeAssistant, queued: list[str], sim: EjoinSimulator) -> None:
    paused = await call(hass, "pause_sms_tasks", task_ids=queued[:2])
    assert paused == {
        "all": False,
        "results": [{"task_id": tid, "ok": True, "code": 0, "text": "OK"} for tid in queued[:2]],
    }
    assert (sim.requests_to("/goip_pause_sms.html")[0].json()) == {"tids": [int(tid) for tid in queued[:2]]}
    assert [task.paused for task in sim.queue] == [True, True, False]
    listed = await call(hass, "list_sms_tasks", ports="2")
    assert [task["paused"] for task in listed["tasks"]] == [True, True, False]

    resumed = await call(hass, "resume_sms_tasks", all=True)
    assert resumed == {"all": True, "results": []}
    assert sim.requests_to("/goip_resume_sms.html")[0].json() == {}
    assert [task.paused for task in sim.queue] == [False, False, False]

    deleted = await call(hass, "delete_sms_tasks", task_ids=[queued[1], "999999"])
    assert [(item["task_id"], item["ok"]) for item in deleted["results"]] == [(queued[1], True), ("999999", False)]
    assert deleted["results"][1]["code"] == 404
    assert [str(task.tid) for task in sim.queue] == [queued[0], queued[2]]


async def test_unknown_tasks_are_the_device_s_refusal(
    hass: HomeAssistant, queued: list[str], sim: EjoinSimulator
) -> None:
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, "pause_sms_tasks", task_ids=["999999"])
    assert raised.value.translation_key == "command_refused"
    assert raised.value.translation_placeholders["reason"] == "Tasks Not Found"


@pytest.mark.parametrize("data", [{}, {"task_ids": ["1"], "all": True}])
async def test_ids_or_all(
    hass: HomeAssistant, init_integration: MockConfigEntry, sim: EjoinSimulator, data: dict
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "delete_sms_tasks", **data)
    assert raised.value.translation_key == "task_ids_or_all"
    assert sim.requests_to("/goip_remove_sms.html") == []


async def test_task_ids_are_numbers(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    with pytest.raises(vol.Invalid):
        await call(hass, "delete_sms_tasks", task_ids=["abc"])


async def test_a_list_cut_short_says_so(
    hass: HomeAssistant, queued: list[str], sim: EjoinSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import custom_components.gsm_gateway.client.ejoin.gateway as ejoin_gateway

    monkeypatch.setattr(ejoin_gateway, "TASK_PAGE_SIZE", 1)
    monkeypatch.setattr(ejoin_gateway, "MAX_TASK_PAGES", 2)
    response = await call(hass, "list_sms_tasks", ports="2")
    assert [task["task_id"] for task in response["tasks"]] == queued[:2]
    assert (response["total"], response["truncated"]) == (3, True)
    assert set(response) == {"tasks", "total", "truncated"}
