"""`inspectflow users token USERNAME --name NAME`: issue an API token and print it (shown only this once)."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from engine.identity import api_tokens
from engine.models import User
from web.api import bp
from web.services import services


@click.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. the client's name.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@with_appcontext
def issue_token_command(username: str, name: str, as_json: bool) -> None:
    """Issue an API bearer token for USERNAME; the token is printed once and stored only as a hash."""
    svc = services()
    with svc.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user '{username}'")
        plain = api_tokens.issue_token(session, user, name, svc.clock().now())
    if as_json:
        click.echo(json.dumps({"username": username, "name": name, "token": plain}, ensure_ascii=False))
    else:
        click.echo(plain)


def register(app: Flask) -> None:
    users = app.cli.commands.get("users")  # type: ignore[attr-defined]
    if users is None:
        users = AppGroup("users", help="Accounts.")
        app.cli.add_command(users)
    users.add_command(issue_token_command)  # type: ignore[attr-defined]


bp.record_once(lambda state: register(state.app))
