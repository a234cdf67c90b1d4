"""`send_mms` through Home Assistant against the simulated Skyline/EJOIN gateway.

Attachments come from Home Assistant's media (`media-source://`, resolved to local files) or from folders in
`allowlist_external_dirs`. Each limit the documents set (5 attachments, jpg/gif/txt/mp3, under 100 KB in total, a
title) and each way a file can be out of reach is refused with its translated error before anything is sent. What
the gateway received is read from the simulator's accepted tasks.
"""

from __future__ import annotations

from pathlib import Path
import threading
from typing import Any

from homeassistant.components.media_source import PlayMedia
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.gsm_gateway.const import DOMAIN
from simulator.ejoin import EjoinSimulator

from .conftest import port_device_id

NUMBER = "+491701234567"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) + b"\xff\xd9"
GIF = b"GIF89a" + bytes(32)
LOCAL = "media-source://media_source/local"


async def send_mms(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(DOMAIN, "send_mms", data, blocking=True, return_response=True)
    assert isinstance(response, dict)
    return response


@pytest.fixture
async def files(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A media folder (`My media`, served by media_source) and an allowed folder beside it, with some files."""
    media = tmp_path / "media"
    allowed = tmp_path / "allowed"
    for folder in (media, allowed):
        folder.mkdir()
        (folder / "doorbell.jpg").write_bytes(JPEG)
        (folder / "wave.gif").write_bytes(GIF)
        (folder / "note.txt").write_bytes(b"22:14")
        (folder / "photo.png").write_bytes(b"\x89PNG")
    hass.config.media_dirs = {"local": str(media)}
    hass.config.allowlist_external_dirs = {str(allowed)}
    assert await async_setup_component(hass, "media_source", {})
    return tmp_path


@pytest.fixture
async def gateway(hass: HomeAssistant, files: Path, init_integration: MockConfigEntry) -> MockConfigEntry:
    """The gateway, set up after the media (as on a real system, where media_source loads first)."""
    return init_integration


async def test_an_mms_with_a_media_source_picture(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator
) -> None:
    response = await send_mms(
        hass, recipients=[NUMBER], title="Front door", message="Someone rang", attachments=[f"{LOCAL}/doorbell.jpg"]
    )
    (task,) = sim.accepted_tasks
    assert (task.sms_type, task.recipients, task.mms_title, task.text) == (1, [NUMBER], "Front door", "Someone rang")
    assert task.attachments == [("jpg", JPEG)]
    (recipient,) = response["recipients"]
    assert (recipient["recipient"], recipient["accepted"], recipient["code"]) == (NUMBER, True, 0)
    assert response["task_ids"] == [recipient["task_id"]] == [str(task.tid)]


async def test_the_media_selector_form_several_files_and_recipients(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator, files: Path
) -> None:
    """What the UI's media selector gives (mappings), an allowed path, a path relative to the configuration folder."""
    hass.config.config_dir = str(files)  # relative paths count from the configuration folder
    numbers = [NUMBER, "+491707654321", "+491700000003"]
    response = await send_mms(
        hass,
        recipients=numbers,
        title="Holiday",
        attachments=[
            {"media_content_id": f"{LOCAL}/wave.gif", "media_content_type": "image/gif"},
            str(files / "allowed" / "doorbell.jpg"),
            "allowed/note.txt",
        ],
        port="2B",
        send_timeout=120,
    )
    (task,) = sim.accepted_tasks
    assert (task.sms_type, task.recipients, task.text, task.timeout) == (2, numbers, "", 120)
    assert (task.from_text, task.attachments) == ("2B", [("gif", GIF), ("jpg", JPEG), ("txt", b"22:14")])
    assert [item["task_id"] for item in response["recipients"]] == [str(task.tid)] * 3


async def test_a_port_device_chooses_the_port(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator
) -> None:
    device_id = port_device_id(hass, gateway, 3)
    await send_mms(hass, device_id=device_id, recipients=[NUMBER], title="t", attachments=[f"{LOCAL}/note.txt"])
    (task,) = sim.accepted_tasks
    assert task.from_text == "3"


async def test_files_are_checked_and_read_off_the_event_loop(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[bool] = []
    allowed = hass.config.is_allowed_path

    def watched(path: str) -> bool:
        threads.append(threading.get_ident() == hass.loop_thread_id)
        return allowed(path)

    monkeypatch.setattr(hass.config, "is_allowed_path", watched)
    await send_mms(hass, recipients=[NUMBER], title="t", attachments=[str(files / "allowed" / "doorbell.jpg")])
    assert threads == [False]
    assert sim.accepted_tasks[0].attachments == [("jpg", JPEG)]


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        (
            {"title": "  "},
            "mms_title_required",
            "An MMS needs a title (its subject)",
        ),
        (
            {"attachments": []},
            "mms_attachments_required",
            "An MMS needs at least one attachment: a JPEG or GIF picture, a text file or an MP3",
        ),
        (
            {"attachments": [f"{LOCAL}/note.txt"] * 6},
            "mms_too_many_attachments",
            "An MMS takes at most 5 attachments, but 6 were given",
        ),
        (
            {"attachments": [f"{LOCAL}/photo.png"]},
            "mms_unsupported_type",
            "“photo.png” cannot be attached: it is image/png, and an MMS takes only jpg, gif, txt, mp3 files",
        ),
        (
            {"attachments": ["allowed/photo.png"]},
            "mms_unsupported_type",
            "“photo.png” cannot be attached: it is .png, and an MMS takes only jpg, gif, txt, mp3 files",
        ),
        (
            {"attachments": [f"{LOCAL}/missing.jpg"]},
            "mms_media_not_found",
            "“missing.jpg” cannot be attached: there is no such media or file",
        ),
        (
            {"attachments": ["media-source://no_such_source/x.jpg"]},
            "mms_media_not_found",
            "“x.jpg” cannot be attached: there is no such media or file",
        ),
        (
            {"attachments": ["/etc/doorbell.jpg"]},
            "mms_path_not_allowed",
            (
                "“doorbell.jpg” is not in a folder Home Assistant may read from. Add its folder to "
                "allowlist_external_dirs in configuration.yaml, or attach it from My media"
            ),
        ),
        (
            {"attachments": ["../" * 12 + "etc/doorbell.jpg"]},
            "mms_path_not_allowed",
            None,
        ),
        (
            {"recipients": ["not a number"]},
            "invalid_recipient",
            None,
        ),
        (
            {"port": "9"},
            "invalid_port",
            None,
        ),
        (
            {"smsc": "SMSC"},
            "invalid_smsc",
            None,
        ),
    ],
)
async def test_each_limit_is_refused_before_anything_is_sent(
    hass: HomeAssistant,
    gateway: MockConfigEntry,
    sim: EjoinSimulator,
    data: dict[str, Any],
    key: str,
    message: str | None,
) -> None:
    call = {"recipients": [NUMBER], "title": "t", "attachments": [f"{LOCAL}/doorbell.jpg"]} | data
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, **call)
    assert raised.value.translation_key == key
    if message is not None:
        assert str(raised.value) == message
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_a_missing_allowed_file(hass: HomeAssistant, gateway: MockConfigEntry, files: Path) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=[str(files / "allowed" / "gone.jpg")])
    assert raised.value.translation_key == "mms_media_not_found"


async def test_a_link_out_of_an_allowed_folder_is_refused(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator, files: Path
) -> None:
    """A symbolic link in an allowed folder is judged by where it points."""
    outside = files / "outside.jpg"
    outside.write_bytes(JPEG)
    (files / "allowed" / "link.jpg").symlink_to(outside)
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=[str(files / "allowed" / "link.jpg")])
    assert raised.value.translation_key == "mms_path_not_allowed"
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_a_folder_is_no_attachment(hass: HomeAssistant, gateway: MockConfigEntry, files: Path) -> None:
    (files / "allowed" / "album.jpg").mkdir()
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=[str(files / "allowed" / "album.jpg")])
    assert raised.value.translation_key == "mms_media_not_found"


def change_while_checking(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, trigger: Path, change: Any) -> None:
    """Run `change` when Home Assistant checks whether `trigger` may be read: after the files before it were looked
    at, before any is read (as another program writing or deleting a file at that moment would).
    """
    allowed = hass.config.is_allowed_path

    def checking(path: str) -> bool:
        if Path(path) == trigger:
            change()
        return allowed(path)

    monkeypatch.setattr(hass.config, "is_allowed_path", checking)


async def test_a_file_that_grows_past_the_limit_meanwhile(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    growing, other = files / "allowed" / "growing.jpg", files / "allowed" / "doorbell.jpg"
    growing.write_bytes(b"\xff" * 60 * 1024)

    def grow() -> None:
        with growing.open("ab") as file:
            file.write(b"\xff" * 50 * 1024)

    change_while_checking(hass, monkeypatch, other, grow)
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=[str(growing), str(other)])
    assert raised.value.translation_key == "mms_too_large"
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_a_file_deleted_meanwhile(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    going, other = files / "allowed" / "wave.gif", files / "allowed" / "doorbell.jpg"
    change_while_checking(hass, monkeypatch, other, going.unlink)
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=[str(going), str(other)])
    assert raised.value.translation_key == "mms_media_not_found"
    assert str(raised.value) == "“wave.gif” cannot be attached: there is no such media or file"
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_too_large_in_total(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator, files: Path
) -> None:
    """Two files of 60 KB each: 120 KB together is refused (less than 100 KB is the documents' limit)."""
    for name in ("big1.jpg", "big2.jpg"):
        (files / "allowed" / name).write_bytes(b"\xff" * 60 * 1024)
    big = [str(files / "allowed" / name) for name in ("big1.jpg", "big2.jpg")]
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=big)
    assert raised.value.translation_key == "mms_too_large"
    assert str(raised.value) == (
        "The attachments take 120 kB together, but an MMS takes less than 100 kB. Attach smaller or fewer files"
    )
    await send_mms(hass, recipients=[NUMBER], title="t", attachments=big[:1])  # one of them fits
    assert len(sim.accepted_tasks) == 1


async def test_media_that_is_no_local_file(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text-to-speech, cameras and remote sources resolve to a URL only: refused, not downloaded."""

    async def resolve(_hass: HomeAssistant, media_id: str, _player: str | None) -> PlayMedia:
        assert media_id == "media-source://tts/cloud?message=hello"
        return PlayMedia("/api/tts_proxy/abc.mp3", "audio/mpeg")

    monkeypatch.setattr("custom_components.gsm_gateway.media.async_resolve_media", resolve)
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=["media-source://tts/cloud?message=hello"])
    assert raised.value.translation_key == "mms_media_not_local"
    assert sim.requests_to("/goip_post_sms.html") == []


async def test_the_gateways_refusal_is_reported(
    hass: HomeAssistant, gateway: MockConfigEntry, sim: EjoinSimulator
) -> None:
    sim.set_sim_status(4, None, 6)  # port 4's SIM failed to register
    with pytest.raises(HomeAssistantError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=[f"{LOCAL}/doorbell.jpg"], port="4")
    assert raised.value.translation_key == "send_rejected"
    assert "SIM Unregistered" in str(raised.value)


@pytest.mark.parametrize("vendor", ["dinstar", "synway"])
async def test_other_gateways_refuse_the_action(hass: HomeAssistant, gateway: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await send_mms(hass, recipients=[NUMBER], title="t", attachments=[f"{LOCAL}/doorbell.jpg"])
    assert raised.value.translation_key == "action_unsupported"
    assert str(raised.value) == f"{gateway.title} does not support the send_mms action"
