"""Files: storing uploads and files sent by fake users, Telegram-like file ids and paths, the
media objects of messages (photo sizes, documents, voice ...), and the ``getFile`` method."""

from __future__ import annotations

import base64
import mimetypes
import re
import struct
from typing import Any

from bot.playground.botapi.constants import JSONDict
from bot.playground.botapi.models import StoredFile, _bad
from bot.playground.botapi.parameters import _api, _Params
from bot.playground.botapi.state import _FakeState

_FILE_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}

_FILE_DIR = {
    "photo": "photos",
    "document": "documents",
    "voice": "voice",
    "audio": "music",
    "video": "videos",
    "animation": "animations",
    "sticker": "stickers",
    "video_note": "video_notes",
}

_DEFAULT_EXT = {
    "photo": "jpg",
    "voice": "oga",
    "audio": "mp3",
    "video": "mp4",
    "animation": "mp4",
    "sticker": "webp",
    "video_note": "mp4",
}

_DEFAULT_MIME = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "animation": "video/mp4",
    "sticker": "image/webp",
    "video_note": "video/mp4",
}


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG image, if recognisable."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            (segment_length,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + segment_length
    return None


class FilesMixin(_FakeState):
    """File storage and media objects; implements ``getFile``."""

    def _store_file(
        self,
        kind: str | None,
        data: bytes,
        file_name: str | None,
        mime_type: str | None,
        *,
        by_bot: bool,
        register: bool = True,
        duration: int | None = None,
    ) -> StoredFile:
        number = next(self._file_ids)
        kind = kind or "document"
        token = base64.urlsafe_b64encode(struct.pack(">QI", self.bot_id, number)).decode().rstrip("=")
        file_id = f"{_FILE_PREFIX.get(kind, 'BQACAgIAAxkBAAI')}{token}{number:06d}"
        unique = "AgAD" + base64.urlsafe_b64encode(struct.pack(">I", number)).decode().rstrip("=")
        ext = None
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1]
        ext = (
            ext
            or _DEFAULT_EXT.get(kind)
            or (mimetypes.guess_extension(mime_type or "") or ".bin").lstrip(".")
        )
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{_FILE_DIR.get(kind, 'documents')}/file_{number}.{ext}",
            uploaded_by_bot=by_bot,
            duration=duration,
        )
        if register:
            self._register_file(stored)
        return stored

    def _register_file(self, stored: StoredFile) -> None:
        self.files[stored.file_id] = stored
        if stored.kind == "photo":
            size = _image_size(stored.data) or (1280, 960)
            stored.width, stored.height = size
        if stored.uploaded_by_bot:
            self.uploads.append(stored)

    def _media_object(self, stored: StoredFile, params: _Params | None = None) -> Any:
        base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        size = {"file_size": stored.file_size} if stored.data else {}
        duration = stored.duration or (params.int("duration") if params else None) or 1
        if stored.kind == "photo":
            width, height = stored.width or 1280, stored.height or 960
            sizes = []
            for index, limit in enumerate((90, 320, 800, 1280)):
                scale = min(1.0, limit / max(width, height))
                if sizes and scale == 1.0 and sizes[-1]["width"] == width:
                    break
                size_id = stored.file_id if limit == 1280 else f"{stored.file_id}_{index}"
                self.files.setdefault(size_id, stored)
                sizes.append(
                    {
                        "file_id": size_id,
                        "file_unique_id": f"{stored.file_unique_id}{index}",
                        "width": max(1, round(width * scale)),
                        "height": max(1, round(height * scale)),
                        **(
                            {"file_size": max(1, round(stored.file_size * scale * scale))}
                            if stored.data
                            else {}
                        ),
                    }
                )
            if sizes[-1]["file_id"] != stored.file_id:
                sizes[-1]["file_id"] = stored.file_id
            return sizes
        if stored.kind == "document":
            extra = {"file_name": stored.file_name} if stored.file_name else {}
            return {**extra, "mime_type": stored.mime_type or "application/octet-stream", **base, **size}
        if stored.kind == "voice":
            return {"duration": duration, "mime_type": stored.mime_type or "audio/ogg", **base, **size}
        if stored.kind == "audio":
            extra = {"file_name": stored.file_name} if stored.file_name else {}
            return {
                "duration": duration,
                **extra,
                "mime_type": stored.mime_type or "audio/mpeg",
                **base,
                **size,
            }
        if stored.kind in ("video", "animation"):
            extra = {"file_name": stored.file_name} if stored.file_name else {}
            width = (params.int("width") if params else None) or 1280
            height = (params.int("height") if params else None) or 720
            mime = stored.mime_type or "video/mp4"
            return {
                "width": width,
                "height": height,
                "duration": duration,
                **extra,
                "mime_type": mime,
                **base,
                **size,
            }
        if stored.kind == "video_note":
            length = (params.int("length") if params else None) or 240
            return {"length": length, "duration": duration, **base, **size}
        if stored.kind == "sticker":
            return {
                "width": 512,
                "height": 512,
                "type": "regular",
                "is_animated": False,
                "is_video": False,
                **base,
                **size,
            }
        return {**base, **size}

    def _input_file(self, params: _Params, field_name: str, kind: str) -> StoredFile:
        value = params.get(field_name)
        upload = params.files.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = params.files.get(value[len("attach://") :])
            if upload is None:
                raise _bad(f"can't find attached file {value[len('attach://') :]!r}")
        if upload is not None:
            if not upload.data:
                raise _bad("file must be non-empty")
            mime = upload.mime_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(upload.file_name or "")[0] or _DEFAULT_MIME.get(kind) or mime
            final = self._store_file(kind, upload.data, upload.file_name, mime, by_bot=True, register=False)
            final.duration = params.int("duration")
            upload.__dict__.update(final.__dict__)  # Call.files shows the same file as the message
            self._register_file(upload)
            return upload
        if isinstance(value, str) and value:
            known = self.files.get(value)
            if known is not None:
                if known.kind != kind and not (kind == "document" and known.kind != "photo"):
                    raise _bad(f"can't use file of type {known.kind.title()} as {kind.title()}")
                return known
            if re.match(r"^https?://", value, re.IGNORECASE):
                name = value.rsplit("/", 1)[-1].split("?", 1)[0] or None
                mime = mimetypes.guess_type(name or "")[0]
                return self._store_file(kind, b"", name, mime, by_bot=True)
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad(f"there is no {field_name} in the request")

    @_api("getFile")
    def _m_get_file(self, params: _Params) -> JSONDict:
        file_id = params.str("file_id", "") or ""
        stored = self.files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        if stored.file_size > 20 * 1024 * 1024:
            raise _bad("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }
