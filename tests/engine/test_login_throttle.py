"""The login throttle (engine.identity.login_throttle): five failures per user name and address within ten minutes
block the sixth attempt; twenty from one address across names block the address (password spraying); the window
slides with the injected clock; success clears; the count lives in the database, so another process sees it too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engine.identity.login_throttle import (
    ADDRESS_LIMIT,
    NAME_LIMIT,
    WINDOW,
    clear_failed_logins,
    login_blocked,
    record_failed_login,
)
from engine.models import LoginFailure


def fail(svc, clock, times: int, username: str = "li", address: str = "10.0.0.1") -> None:
    for _ in range(times):
        with svc.transaction() as session:
            record_failed_login(session, username, address, clock.now())


def blocked(svc, clock, username: str = "li", address: str = "10.0.0.1") -> str | None:
    with svc.sessions() as session:
        return login_blocked(session, username, address, clock.now())


def test_the_limit_blocks_only_that_name_from_that_address(svc, clock):
    fail(svc, clock, NAME_LIMIT - 1)
    assert not blocked(svc, clock)
    fail(svc, clock, 1)
    assert blocked(svc, clock) == "name"
    assert not blocked(svc, clock, address="10.0.0.2") and not blocked(svc, clock, username="wang")


def test_the_window_slides_with_the_clock(svc, clock):
    fail(svc, clock, NAME_LIMIT - 1)
    clock.advance(timedelta(minutes=6))
    fail(svc, clock, 1)
    assert blocked(svc, clock)
    clock.advance(WINDOW - timedelta(minutes=6))  # the first four are now ten minutes old: out of the window
    assert not blocked(svc, clock)


def test_a_success_clears_the_count_and_old_failures_are_dropped(svc, clock):
    fail(svc, clock, NAME_LIMIT)
    with svc.transaction() as session:
        clear_failed_logins(session, "li", "10.0.0.1")
    assert not blocked(svc, clock)
    fail(svc, clock, 2, username="wang")
    clock.advance(WINDOW + timedelta(seconds=1))
    fail(svc, clock, 1, username="zhao")
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1  # only zhao's, still current


def test_failures_across_names_from_one_address_block_the_address(svc, clock):
    for number in range(ADDRESS_LIMIT - 1):  # one guess each: never the per-name limit
        fail(svc, clock, 1, username=f"user{number}")
    assert not blocked(svc, clock, username="someone-else")
    fail(svc, clock, 1, username="one-more")
    assert blocked(svc, clock, username="someone-else") == "address"
    assert blocked(svc, clock, username="user1") == "address"
    assert not blocked(svc, clock, address="10.0.0.2")  # other addresses are not punished
    with svc.transaction() as session:  # the sprayer's good login to an account of their own clears nothing sprayed
        clear_failed_logins(session, "own-account", "10.0.0.1")
    assert blocked(svc, clock, username="someone-else") == "address"
    clock.advance(WINDOW)
    assert not blocked(svc, clock, username="someone-else")
