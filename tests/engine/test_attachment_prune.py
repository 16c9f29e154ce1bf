"""Orphaned attachment files (engine.background.attachment_prune): a file no attachment row references and last
stored longer ago than the grace period goes; a referenced one, a young one (an upload in flight) and one stored
again just now stay; the scheduler runs it hourly. File ages are set with os.utime against the frozen clock."""

from __future__ import annotations

import os
from datetime import timedelta

from engine.background.attachment_prune import prune_attachments
from engine.background.scheduler import PRUNE_JOB_ID, build_scheduler, prune_job
from engine.models import Attachment
from engine.platform.attachment_store import AttachmentStore

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def aged(store: AttachmentStore, content: bytes, now, age: timedelta) -> str:
    """Store `content` and make it look stored `age` before `now`; its sha256."""
    stored = store.put(content)
    moment = (now - age).timestamp()
    os.utime(store.path_of(stored.sha256), (moment, moment))
    return stored.sha256


def referenced(svc, clock, sha256: str) -> None:
    with svc.transaction() as session:
        session.add(Attachment(sha256=sha256, size=1, media_type="image/jpeg", name="现场.jpg", field="photos",
                               uploaded_by="li", uploaded_at=clock.now()))


def test_only_old_unreferenced_files_go_and_a_dry_run_removes_nothing(svc, clock):
    store, now = svc.attachments, clock.now()
    kept = aged(store, JPEG + b"kept", now, timedelta(days=30))
    referenced(svc, clock, kept)
    orphan = aged(store, JPEG + b"rolled back", now, timedelta(hours=25))
    in_flight = aged(store, JPEG + b"in flight", now, timedelta(hours=23))
    reused = aged(store, JPEG + b"reused", now, timedelta(days=3))
    store.put(JPEG + b"reused")  # the same bytes stored again by an upload in flight: young again
    os.utime(store.path_of(reused), ((now - timedelta(minutes=1)).timestamp(),) * 2)
    leftover = store.path_of(orphan).parent / "tmpab12cd"  # a crashed write's temporary file
    leftover.write_bytes(b"half")
    os.utime(leftover, ((now - timedelta(days=2)).timestamp(),) * 2)

    listed = prune_attachments(svc.write_sessions, store, clock, dry_run=True)
    gone = sorted(r.name for r in listed.removed)
    assert gone == sorted([f"{orphan[:2]}/{orphan[2:4]}/{orphan}", f"{orphan[:2]}/{orphan[2:4]}/tmpab12cd"])
    assert (listed.kept_referenced, listed.kept_young) == (1, 2)
    assert store.path_of(orphan).exists() and leftover.exists()

    report = prune_attachments(svc.write_sessions, store, clock)
    assert sorted(r.name for r in report.removed) == gone and report.to_dict()["removed_bytes"] == len(
        JPEG + b"rolled back") + 4
    assert not store.path_of(orphan).exists() and not leftover.exists()
    assert all(store.path_of(s).exists() for s in (kept, in_flight, reused))
    assert prune_attachments(svc.write_sessions, store, clock).removed == []  # nothing left to do


def test_the_scheduler_prunes_hourly_with_the_apps_store(svc, clock):
    scheduler = build_scheduler(svc.runtime, svc.write_sessions, svc.clock, interval_s=5, blocking=False,
                                attachments=svc.attachments)
    job = scheduler.get_job(PRUNE_JOB_ID)
    assert job is not None and job.max_instances == 1 and job.trigger.interval.total_seconds() == 3600
    orphan = aged(svc.attachments, JPEG + b"orphan", clock.now(), timedelta(days=2))
    prune_job(svc.write_sessions, svc.attachments, lambda: clock)()
    assert not svc.attachments.path_of(orphan).exists()
