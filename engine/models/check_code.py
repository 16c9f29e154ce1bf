"""校验码: the per-case secret that lets the enterprise act on the public portal without an account (issue 11
defect 2). Whoever holds a case's code (the 行政行为码 shown at the door, or a complaint's tracking number) may
follow it; only the holder of its check code may act for the enterprise — rate, report 整改, rate a reply.

Eight characters from an alphabet without look-alikes (about 10¹² possibilities; the portal counts every wrong
guess against the address's hourly writes). Shown as two groups of four; typed with or without the dash, in
either case. A complaint keeps only its digest (nobody at the office ever needs to read it back); a behaviour
code keeps it in clear, since the inspectors hand it to the enterprise with the notice.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 8


def new_check_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalized(typed: str | None) -> str:
    """The check code as typed, reduced to its eight characters (spaces, dashes and case ignored)."""
    raw = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    return raw if len(raw) == LENGTH else ""


def digest(check_code: str) -> str:
    return hashlib.sha256(normalized(check_code).encode()).hexdigest()


def matches_code(stored: str | None, typed: str | None) -> bool:
    """A typed check code against one kept in clear (constant time; nothing matches an empty or missing one)."""
    given, kept = normalized(typed), normalized(stored)
    return bool(given and kept) and hmac.compare_digest(given, kept)


def matches_digest(stored_digest: str | None, typed: str | None) -> bool:
    given = normalized(typed)
    return bool(given and stored_digest) and hmac.compare_digest(digest(given), stored_digest or "")
