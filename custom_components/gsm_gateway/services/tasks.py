"""Queued send tasks on the gateway: cancel them (Skyline/EJOIN, Dinstar); list, pause, resume, delete (Skyline/EJOIN).

A send returns its task ids (`send_sms` response `task_ids`); these actions take them, or `all: true`.
The responses carry the device's own result per task (code and text), never a guess.

`cancel_sms` is the one way on every gateway that can: it takes the task ids of a send only (Dinstar's `stop_sms`
has no "all"), and says per task whether it was cancelled, no longer known to the device (sent, failed, or a
wrong id: reported, not an error) or refused. On Skyline/EJOIN it removes the tasks like `delete_sms_tasks`.

`list_sms_tasks` also says how complete its list is: `total` adds up what each listed port's gateway reported
(`total_num`; a port that reported none counts the tasks read), so a task queued on several ports counts once per
port; `truncated` is true when the client stopped paging a port before its end (its page limit).
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import probatio as vol

from custom_components.gsm_gateway.client import CancelResult, Capability, SlotRef, SmsTask, TaskResult
from custom_components.gsm_gateway.const import DOMAIN
from custom_components.gsm_gateway.helpers import translate_gateway_errors

from .common import (
    ATTR_PORTS,
    TARGET_SCHEMA,
    ActionHandler,
    port_numbers,
    register,
    require,
    resolve_entry,
    resolve_ports,
)

SERVICE_LIST_SMS_TASKS = "list_sms_tasks"
SERVICE_PAUSE_SMS_TASKS = "pause_sms_tasks"
SERVICE_RESUME_SMS_TASKS = "resume_sms_tasks"
SERVICE_DELETE_SMS_TASKS = "delete_sms_tasks"
SERVICE_CANCEL_SMS = "cancel_sms"

ATTR_TASK_IDS = "task_ids"
ATTR_ALL = "all"

LIST_SCHEMA = vol.Schema({**TARGET_SCHEMA, vol.Optional(ATTR_PORTS): cv.string})
CHANGE_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Optional(ATTR_TASK_IDS): vol.All(cv.ensure_list, [vol.All(cv.string, vol.Match(r"^\s*\d{1,10}\s*$"))]),
        vol.Optional(ATTR_ALL, default=False): cv.boolean,
    }
)
CANCEL_SCHEMA = vol.Schema(
    {
        **TARGET_SCHEMA,
        vol.Required(ATTR_TASK_IDS): vol.All(
            cv.ensure_list, vol.Length(min=1), [vol.All(cv.string, vol.Match(r"^\s*[0-9]{1,10}\s*$"))]
        ),
    }
)


def _task(port: SlotRef, task: SmsTask) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "port": port.label,
        "paused": task.paused,
        "from": task.ports,
        "recipients": list(task.recipients),
        "text": task.text,
    }


def _result(result: TaskResult) -> dict[str, Any]:
    return {"task_id": result.task_id, "ok": result.ok, "code": result.code, "text": result.text}


def _cancelled(result: CancelResult) -> dict[str, Any]:
    return {"task_id": result.task_id, "status": result.outcome.value, "code": result.code, "text": result.text}


async def _cancel_sms(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    gateway = require(entry, Capability.SMS_CANCEL, SERVICE_CANCEL_SMS)
    task_ids = list(dict.fromkeys(tid.strip() for tid in call.data[ATTR_TASK_IDS]))
    with translate_gateway_errors(entry):
        results = await gateway.cancel_sms_tasks(task_ids)
    if (queue := entry.runtime_data.queue) is not None:
        queue.async_note_change()
    return {"results": [_cancelled(result) for result in results]}


async def _list_sms_tasks(call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(call)
    gateway = require(entry, Capability.SMS_TASKS, SERVICE_LIST_SMS_TASKS)
    tasks: dict[str, dict[str, Any]] = {}
    total = 0
    truncated = False
    with translate_gateway_errors(entry):
        for port in port_numbers(resolve_ports(call, entry, default_all=True)):
            listed = await gateway.list_sms_tasks(port)
            total += listed.total if listed.total is not None else len(listed.tasks)
            truncated = truncated or listed.truncated
            for task in listed.tasks:
                # A task queued on several ports is listed under each: report it once, under the first.
                tasks.setdefault(task.task_id, _task(SlotRef(port), task))
    return {"tasks": list(tasks.values()), "total": total, "truncated": truncated}


def _task_ids(call: ServiceCall) -> list[str] | None:
    """The chosen task ids, or None for every task; exactly one of `task_ids` and `all` must be given."""
    ids: list[str] = [tid.strip() for tid in call.data.get(ATTR_TASK_IDS, [])]
    every: bool = call.data[ATTR_ALL]
    if bool(ids) == every:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="task_ids_or_all")
    return None if every else ids


def _change(action: str) -> ActionHandler:
    async def handler(call: ServiceCall) -> ServiceResponse:
        entry = resolve_entry(call)
        gateway = require(entry, Capability.SMS_TASKS, action)
        task_ids = _task_ids(call)
        operations = {
            SERVICE_PAUSE_SMS_TASKS: gateway.pause_sms_tasks,
            SERVICE_RESUME_SMS_TASKS: gateway.resume_sms_tasks,
            SERVICE_DELETE_SMS_TASKS: gateway.delete_sms_tasks,
        }
        with translate_gateway_errors(entry):
            results = await operations[action](task_ids)
        if action == SERVICE_DELETE_SMS_TASKS and (queue := entry.runtime_data.queue) is not None:
            queue.async_note_change()
        return {"all": task_ids is None, "results": [_result(result) for result in results]}

    return handler


def async_setup(hass: HomeAssistant) -> None:
    """Register the task actions."""
    register(
        hass,
        SERVICE_LIST_SMS_TASKS,
        _list_sms_tasks,
        LIST_SCHEMA,
        response=SupportsResponse.ONLY,
        capability=Capability.SMS_TASKS,
    )
    for name in (SERVICE_PAUSE_SMS_TASKS, SERVICE_RESUME_SMS_TASKS, SERVICE_DELETE_SMS_TASKS):
        register(hass, name, _change(name), CHANGE_SCHEMA, capability=Capability.SMS_TASKS)
    register(hass, SERVICE_CANCEL_SMS, _cancel_sms, CANCEL_SCHEMA, capability=Capability.SMS_CANCEL)
