"""MMS attachments from Home Assistant: `media-source://` items and files in folders the user allowed.

Decisions (docs/sending.md, "MMS"):

- A media-source item (My media, an uploaded image, any source that serves local files) is attached when it resolves
  to a file on this machine; its media type, as the source names it, gives the attachment's kind. An item that only
  resolves to a URL (text-to-speech, cameras, remote sources) is refused rather than downloaded: Home Assistant
  would fetch it from wherever the URL points.
- Any other entry is a path, relative paths counting from the configuration folder. It must lie in a folder of
  `allowlist_external_dirs`, as for every integration that reads the user's files; its kind comes from the file
  name's extension. A path outside is refused before it is looked at, so errors never tell what exists there.
- Every limit is checked before the gateway is asked: the count first, then each kind, then (in the executor)
  whether each path is allowed and is a file, the total size from the file system, and only then are the files
  read, each at most up to the limit, and the total checked again (a file may have grown meanwhile).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import math
from pathlib import Path, PurePath
from stat import S_ISREG

from homeassistant.components.media_source import MediaSourceError, async_resolve_media, is_media_source_id
from homeassistant.core import HomeAssistant
from homeassistant.core_config import Config
from homeassistant.exceptions import ServiceValidationError

from .client import MMS_KINDS, MMS_MAX_ATTACHMENTS, MMS_MAX_BYTES, MmsAttachment, mms_kind
from .const import DOMAIN
from .validation import quoted_entry

# File name extensions -> attachment kind (`mimetypes` would read the system's tables on first use, on the loop).
KIND_OF_SUFFIX: Mapping[str, str] = {
    ".jpg": "jpg",
    ".jpeg": "jpg",
    ".jpe": "jpg",
    ".gif": "gif",
    ".txt": "txt",
    ".mp3": "mp3",
}


@dataclass(frozen=True, slots=True)
class _Source:
    """One attachment to read: where, of what kind, and whether the path needs the user's allowlist."""

    name: str  # how errors name it: the file name as given, quoted
    path: Path
    kind: str
    check_allowed: bool


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders)


def _unsupported(name: str, shown: str) -> ServiceValidationError:
    return _error("mms_unsupported_type", name=name, type=shown or "?", kinds=", ".join(MMS_KINDS))


async def _async_source(hass: HomeAssistant, item: str) -> _Source:
    """Where an entry's file is and its kind; media-source items are resolved, paths only placed (no I/O)."""
    name = quoted_entry(PurePath(item.rstrip("/")).name or item)
    if is_media_source_id(item):
        try:
            media = await async_resolve_media(hass, item, None)
        except MediaSourceError as err:
            raise _error("mms_media_not_found", name=name) from err
        if media.path is None:
            raise _error("mms_media_not_local", name=name)
        if (kind := mms_kind(media.mime_type)) is None:
            raise _unsupported(name, media.mime_type)
        return _Source(name, media.path, kind, check_allowed=False)
    path = Path(item) if PurePath(item).is_absolute() else Path(hass.config.path(item))
    if (kind := KIND_OF_SUFFIX.get(path.suffix.lower())) is None:
        raise _unsupported(name, path.suffix)
    return _Source(name, path, kind, check_allowed=True)


def _too_large(total: int) -> ServiceValidationError:
    return _error("mms_too_large", size=str(math.ceil(total / 1024)), max=str(MMS_MAX_BYTES // 1024))


def _read(config: Config, sources: Sequence[_Source]) -> tuple[MmsAttachment, ...]:
    """Check and read the files (blocking: runs in the executor)."""
    total = 0
    for source in sources:
        if source.check_allowed and not config.is_allowed_path(str(source.path)):
            raise _error("mms_path_not_allowed", name=source.name)
        try:
            found = source.path.stat()
        except OSError as err:
            raise _error("mms_media_not_found", name=source.name) from err
        if not S_ISREG(found.st_mode):  # a folder, a device, a pipe
            raise _error("mms_media_not_found", name=source.name)
        total += found.st_size
    if total >= MMS_MAX_BYTES:
        raise _too_large(total)
    attachments: list[MmsAttachment] = []
    for source in sources:
        try:
            with source.path.open("rb") as file:
                attachments.append(MmsAttachment(kind=source.kind, data=file.read(MMS_MAX_BYTES)))
        except OSError as err:
            raise _error("mms_media_not_found", name=source.name) from err
    if (total := sum(len(attachment.data) for attachment in attachments)) >= MMS_MAX_BYTES:
        raise _too_large(total)
    return tuple(attachments)


async def async_read_attachments(hass: HomeAssistant, items: Sequence[str]) -> tuple[MmsAttachment, ...]:
    """The attachments named by `items` (media-source ids or paths), or a translated error naming the limit."""
    if not items:
        raise _error("mms_attachments_required")
    if len(items) > MMS_MAX_ATTACHMENTS:
        raise _error("mms_too_many_attachments", count=str(len(items)), max=str(MMS_MAX_ATTACHMENTS))
    sources = [await _async_source(hass, item) for item in items]
    return await hass.async_add_executor_job(_read, hass.config, sources)
