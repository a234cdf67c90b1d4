"""What an MMS may carry, checked before anything is sent.

The limits are the Skyline v2.4 document's (the only gateway API here that sends MMS): at most 5 attachments of
type jpg, gif, txt or mp3, under 100 KB in total (counted as 100 x 1024 bytes of file data, before base64), and a
title. The device answers the same violations with task codes 17-20; checking first gives a clear error and sends
nothing. Callers that read files (Home Assistant's media) use the same constants to refuse before reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .checks import check_phone_number
from .exceptions import GatewayRequestError
from .models import MmsAttachment, MmsRequest

MMS_MAX_ATTACHMENTS = 5
MMS_MAX_BYTES = 100 * 1024  # the attachments' total must stay below this
MMS_KINDS = ("jpg", "gif", "txt", "mp3")

# Media types (as Home Assistant's media sources and `mimetypes` name them) -> the kind gateways expect.
KIND_OF_MEDIA_TYPE: Mapping[str, str] = {
    "image/jpeg": "jpg",
    "image/pjpeg": "jpg",
    "image/gif": "gif",
    "text/plain": "txt",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
}


def mms_kind(media_type: str) -> str | None:
    """The attachment kind of a media type (`image/jpeg` -> `jpg`; parameters ignored), or None when none fits."""
    return KIND_OF_MEDIA_TYPE.get(media_type.partition(";")[0].strip().lower())


def check_mms_content(title: str | None, attachments: Sequence[MmsAttachment]) -> None:
    """Refuse a title and attachments the documents say a gateway refuses, with `GatewayRequestError`."""
    if not title or not title.strip():
        raise GatewayRequestError("an MMS needs a title")
    if not attachments:
        raise GatewayRequestError("an MMS needs at least one attachment")
    if len(attachments) > MMS_MAX_ATTACHMENTS:
        raise GatewayRequestError(f"an MMS takes at most {MMS_MAX_ATTACHMENTS} attachments")
    if sum(len(attachment.data) for attachment in attachments) >= MMS_MAX_BYTES:
        raise GatewayRequestError("MMS attachments must stay under 100 KB in total")
    if any(attachment.kind.lower() not in MMS_KINDS for attachment in attachments):
        raise GatewayRequestError(f"MMS attachment type must be one of {', '.join(MMS_KINDS)}")


def check_mms(request: MmsRequest) -> None:
    """Refuse an MMS request the documents say a gateway refuses, with `GatewayRequestError`."""
    if not request.recipients:
        raise GatewayRequestError("an MMS needs at least one recipient")
    for number in request.recipients:
        check_phone_number(number, "a recipient")
    check_mms_content(request.title, request.attachments)
