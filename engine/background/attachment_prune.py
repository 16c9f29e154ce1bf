"""Removing orphaned attachment files (附件清理): a file the store holds that no attachment row references — left by
an upload whose transaction rolled back (a refused form, a stale task, a lost race) — and that was last stored
longer ago than a grace period (a day by default), so that an upload still in flight, whose row is not yet
committed, never loses its file. Run by the scheduler every hour and by `inspectflow attachments prune`.

Single runner: on PostgreSQL a session-level advisory lock (its own key) lets one pass work at a time and a second
returns at once; two passes at once would be harmless anyway, since removing a file twice is no error. A file is
judged on its age first, then on the committed rows, then its age is read again just before
it goes: the store touches a file each time the same bytes are stored again (engine.platform.attachment_store),
so one an upload has just reused is young again and stays. Temporary files a crashed write left are removed on
the same age rule. Read-only on the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.models import Attachment
from engine.platform.attachment_store import AttachmentStore, StoredFile
from engine.platform.clock import Clock
from engine.platform.duty_lock import PRUNE_LOCK_KEY, single_runner

DEFAULT_GRACE = timedelta(hours=24)
_CHUNK = 500  # digests per IN (…) query


@dataclass(frozen=True)
class Removed:
    name: str  # the file's path inside the store
    size: int
    modified_at: datetime


@dataclass
class PruneReport:
    at: datetime
    dry_run: bool
    skipped_locked: bool = False
    removed: list[Removed] = field(default_factory=list)  # with dry_run: what would be removed
    kept_referenced: int = 0
    kept_young: int = 0

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "dry_run": self.dry_run, "skipped_locked": self.skipped_locked,
                "removed": [{"name": r.name, "size": r.size, "modified_at": r.modified_at.isoformat()}
                            for r in self.removed],
                "removed_bytes": sum(r.size for r in self.removed), "kept_referenced": self.kept_referenced,
                "kept_young": self.kept_young}


def prune_attachments(sessions: sessionmaker[Session], store: AttachmentStore, clock: Clock, *,
                      grace: timedelta = DEFAULT_GRACE, dry_run: bool = False) -> PruneReport:
    """Remove (or with `dry_run` only list) the store's unreferenced files older than `grace` as of the clock."""
    now = clock.now()
    report = PruneReport(at=now, dry_run=dry_run)
    with single_runner(sessions.kw["bind"], PRUNE_LOCK_KEY) as held:
        if not held:
            report.skipped_locked = True
            return report
        cutoff = now - grace
        old = []
        for found in store.files():
            if found.modified_at > cutoff:
                report.kept_young += 1
            else:
                old.append(found)
        referenced = _referenced(sessions, {f.sha256 for f in old if f.sha256})
        for found in sorted(old, key=lambda f: f.path):
            if found.sha256 in referenced:
                report.kept_referenced += 1
                continue
            modified = store.modified_at(found.path)
            if modified is None:
                continue
            if modified > cutoff:  # stored again since it was listed: an upload in flight owns it now
                report.kept_young += 1
                continue
            if not dry_run:
                found.path.unlink(missing_ok=True)
            report.removed.append(_removed(store, found))
    return report


def _referenced(sessions: sessionmaker[Session], digests: Iterable[str]) -> set[str]:
    wanted = sorted(digests)
    found: set[str] = set()
    with sessions() as session:
        for start in range(0, len(wanted), _CHUNK):
            found.update(session.scalars(select(Attachment.sha256).distinct()
                                         .where(Attachment.sha256.in_(wanted[start:start + _CHUNK]))))
    return found


def _removed(store: AttachmentStore, found: StoredFile) -> Removed:
    return Removed(found.path.relative_to(store.root).as_posix(), found.size, found.modified_at)
