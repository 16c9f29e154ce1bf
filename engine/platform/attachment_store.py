"""The attachment store (附件存储): file bytes kept outside the database and the workflow data, in a directory
(`ATTACHMENT_DIR`, default `instance/attachments`), content-addressed — a file lives at
`<dir>/<sha256[:2]>/<sha256[2:4]>/<sha256>`, so the same bytes uploaded twice are stored once and a stored file
never changes.

A file is accepted by what its bytes are, never by its name: `detect` reads the leading magic bytes and knows
JPEG, PNG, PDF, HEIC/HEIF (iPhone photos), MP4/QuickTime (video) and MP3/M4A/WAV (audio of an audio/video record,
R22); anything else — an executable or an HTML page named `.jpg` — is refused, as is a file above the size
limit (`ATTACHMENT_MAX_BYTES`, 10 MB by default).

Writes go to a temporary file in the same directory and are renamed into place, so a reader never sees half a
file and two processes storing the same bytes at once both succeed. A file written for a transaction that then
rolls back (a refused form, a stale task, a lost race) stays behind unreferenced, only ever reached through a
row; engine.background.attachment_prune removes such files once they are older than a grace period. Storing
bytes already there touches the file (its modification time is "last stored"), so a file an upload in flight
is about to reference again is as young as that upload and the grace period keeps it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_MAX_BYTES = 10 * 2**20
MEDIA_TYPES = ("image/jpeg", "image/png", "image/heic", "application/pdf", "video/mp4", "video/quicktime",
               "audio/mpeg", "audio/mp4", "audio/wav")
_BRANDS = {b"heic": "image/heic", b"heix": "image/heic", b"mif1": "image/heic", b"qt  ": "video/quicktime",
           b"M4A ": "audio/mp4"}


class AttachmentRefused(ValueError):
    """A file the store does not take: `code` is "file_type" (with what the bytes were `detected` to be),
    "file_type_unknown", "file_too_large" (with the `limit` in MB) or "file_empty"."""

    def __init__(self, code: str, message: str, **params: str | int):
        super().__init__(message)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    media_type: str


@dataclass(frozen=True)
class StoredFile:
    """A file found in the store's directory: a stored content (`sha256`) or a write's leftover temporary file
    (`sha256` None), with when it was last stored."""

    path: Path
    sha256: str | None
    size: int
    modified_at: datetime


def detect(head: bytes) -> str | None:
    """The media type the leading bytes say (None: not one the store takes)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return _BRANDS.get(head[8:12], "video/mp4")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    return None


def described(head: bytes) -> str | None:
    """What a refused file is, when its bytes betray it (a file-type acronym, the same in every language)."""
    lowered = head[:512].lstrip().lower()
    if head.startswith(b"MZ"):
        return "EXE"
    if head.startswith(b"\x7fELF"):
        return "ELF"
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "HTML"
    if lowered.startswith((b"<svg", b"<?xml")):
        return "SVG/XML"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    return None


def safe_name(name: str | None) -> str:
    """The uploaded name, fit to show and to put in a header: no path, no control characters, at most 120."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    cleaned = cleaned.replace('"', "").strip().lstrip(".")
    return cleaned[-120:] or "file"


class AttachmentStore:
    def __init__(self, root: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path_of(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a sha256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> Stored:
        """Check and store the bytes; AttachmentRefused when they are empty, too large or of a refused type."""
        if not content:
            raise AttachmentRefused("file_empty", "the file is empty")
        if len(content) > self.max_bytes:
            raise AttachmentRefused("file_too_large", f"larger than {self.max_bytes // 2**20} MB",
                                    limit=self.max_bytes // 2**20)
        media_type = detect(content[:16])
        if media_type is None:
            kind = described(content)
            accepted = "JPEG, PNG, HEIC, PDF, MP4, MOV, MP3, M4A or WAV"
            if kind is None:
                raise AttachmentRefused("file_type_unknown", f"not a file of an accepted type ({accepted})")
            raise AttachmentRefused("file_type", f"its content is {kind}, not an accepted type ({accepted})",
                                    detected=kind)
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_of(digest)
        try:
            os.utime(target)  # stored again: young again, so a prune's grace period covers this upload too
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
                temporary.write(content)
            os.replace(temporary.name, target)
        return Stored(digest, len(content), media_type)

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()

    def files(self) -> Iterator[StoredFile]:
        """Every file under the store's directory (contents and leftover temporary files), in no set order."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*/*"):
            try:
                found = path.stat()
            except FileNotFoundError:  # removed meanwhile
                continue
            if not path.is_file():
                continue
            expected = self.path_of(path.name) if re.fullmatch(r"[0-9a-f]{64}", path.name) else None
            yield StoredFile(path, path.name if expected == path else None, found.st_size,
                             datetime.fromtimestamp(found.st_mtime, UTC))

    def modified_at(self, path: Path) -> datetime | None:
        """When the file was last stored (None: it is gone)."""
        try:
            return datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except FileNotFoundError:
            return None
