"""`inspectflow users …`: accounts and API tokens at the command line.

`create` a login (for an agency or a jurisdiction that exists); `token` issues an API token (printed once, on
stdout; its expiry on stderr, so `TOKEN=$(inspectflow users token …)` still captures just the token); `tokens`
lists a user's tokens; `revoke-token` revokes one; `deactivate` ends a user's sessions and tokens and refuses their
logins; `activate` lets them log in again. Each act is an engine command (engine.commands.identity) run as the
system actor `cli:<os user>`, audited under that name.
"""

from __future__ import annotations

import getpass
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from engine.commands import Actor
from engine.commands import identity as identity_commands
from engine.identity import accounts, api_tokens
from engine.models.user import ROLES
from web.cli import _shanghai, emit, json_option, reports_errors
from web.services import services


def cli_actor() -> Actor:
    return Actor.system(f"cli:{getpass.getuser()}")


users = AppGroup("users", help="Accounts and API tokens.")


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default=None)
@click.option("--agency", default=None)
@click.option("--jurisdiction", default=None)
@json_option
@reports_errors
def users_create(username, role, password, display_name, agency, jurisdiction, as_json):
    """Create a login: staff and heads name their agency, the county office and supervisors their jurisdiction
    (a code or a name). Without --password, the password is asked for (or read from stdin) twice."""
    with services().work() as work:
        user = identity_commands.create_user(work, cli_actor(), username=username, password=password, role=role,
                                             display_name=display_name, agency=agency, jurisdiction=jurisdiction)
        document = {"id": user.id, "username": user.username, "role": user.role, "agency": user.agency,
                    "jurisdiction": user.jurisdiction}
    emit(as_json, document, [f"created {role} '{username}'"])


@users.command("token")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for, e.g. the client's name.")
@click.option("--days", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Lifetime in days (default: INSPECTFLOW_API_TOKEN_DAYS, 90).")
@json_option
@reports_errors
def users_token(username, name, days, as_json):
    """Issue an API bearer token for USERNAME; printed once, stored only as a hash, valid until it expires."""
    lifetime = timedelta(days=days) if days is not None else current_app.config["API_TOKEN_LIFETIME"]
    with services().work() as work:
        issued = identity_commands.issue_token(work, cli_actor(), username=username, name=name, lifetime=lifetime)
    if as_json:
        emit(True, {"id": issued.id, "username": username, "name": name, "token": issued.plain,
                    "expires_at": issued.expires_at.isoformat()}, [])
    else:
        click.echo(issued.plain)
        click.echo(f"token {issued.id} for '{username}' expires {_shanghai(issued.expires_at)}", err=True)


@users.command("tokens")
@click.argument("username")
@json_option
@reports_errors
def users_tokens(username, as_json):
    """List USERNAME's API tokens (never their text): id, name, issued, expires, last used, state."""
    svc = services()
    with svc.sessions() as session:
        now = svc.clock().now()
        tokens = api_tokens.tokens_of(session, accounts.find_user(session, username).id)
    documents = [{"id": token.id, "name": token.name, "state": api_tokens.state_of(token, now),
                  "created_at": token.created_at.isoformat(), "expires_at": token.expires_at.isoformat(),
                  "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None}
                 for token in tokens]
    emit(as_json, documents, [f"{token.id}\t{token.name}\t{api_tokens.state_of(token, now)}\t"
                              f"expires {_shanghai(token.expires_at)}" for token in tokens]
         or [f"'{username}' has no API tokens"])


@users.command("revoke-token")
@click.argument("token_id", type=int)
@json_option
@reports_errors
def users_revoke_token(token_id, as_json):
    """Revoke the API token TOKEN_ID (see `users tokens`): it stops working at once."""
    with services().work() as work:
        token = identity_commands.revoke_token(work, cli_actor(), token_id)
        document = {"id": token.id, "name": token.name, "revoked_at": token.revoked_at.isoformat()}
    emit(as_json, document, [f"token {token_id} ({document['name']}) revoked"])


@users.command("deactivate")
@click.argument("username")
@json_option
@reports_errors
def users_deactivate(username, as_json):
    """Deactivate USERNAME: their sessions end and their tokens are revoked at once; logins are refused."""
    with services().work() as work:
        done = identity_commands.deactivate_user(work, cli_actor(), username)
    emit(as_json, {"username": username, "active": False, "sessions_ended": done.sessions_ended,
                   "tokens_revoked": done.tokens_revoked},
         [f"deactivated '{username}': {done.sessions_ended} session(s) ended, "
          f"{done.tokens_revoked} token(s) revoked"])


@users.command("activate")
@click.argument("username")
@json_option
@reports_errors
def users_activate(username, as_json):
    """Let a deactivated USERNAME log in again (old sessions and tokens stay ended)."""
    with services().work() as work:
        identity_commands.reactivate_user(work, cli_actor(), username)
    emit(as_json, {"username": username, "active": True}, [f"'{username}' may log in again"])


def register(app: Flask) -> None:
    app.cli.add_command(users)
