"""Complaint tracking numbers (受理编号): the complainant follows the case with this alone, so it is unguessable."""

from __future__ import annotations

import secrets

from engine.domain.behavior_code import ALPHABET

RANDOM_LENGTH = 16  # 31^16 ≈ 2^79


def new_tracking_number() -> str:
    return "TS-" + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
