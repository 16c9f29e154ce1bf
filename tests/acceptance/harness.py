"""Acceptance tests drive the shipped app as its people do (issue 11 "Tests"): the app is built by `create_app`
from the environment as `inspectflow serve` builds it, the clock pinned with INSPECTFLOW_CLOCK, deadlines passed
with `inspectflow sweep --at`, and every step done through the pages or the portal by the role whose lane it is
in — no engine calls, no hand-bound clock, no injected task data. What a person reads is the HTML they get.

`County` is the running county (the demo, `inspectflow load-demo`), restarted at a later moment when a test lets
time pass; `Person` a logged-in account working its inbox; `Visitor` the enterprise on the public portal.
"""

from __future__ import annotations

import html
import re

from flask import Flask

from tests.web.pages import DEMO_PASSWORD, token_of

TASK_LINK = re.compile(r'<a (?:class="[^"]*" )?href="/tasks/([0-9a-f-]{36})">([^<]+)</a>')
TAGS = re.compile(r"<[^>]+>")


def text_of(page: str) -> str:
    """A page's words as a reader sees them: tags dropped, entities decoded, whitespace squeezed."""
    return re.sub(r"\s+", " ", html.unescape(TAGS.sub(" ", page)))


class County:
    """The app as `inspectflow serve` builds it on `database_url`, pinned at a moment of INSPECTFLOW_CLOCK."""

    def __init__(self, database_url: str, monkeypatch, moment: str):
        self.database_url, self.monkeypatch = database_url, monkeypatch
        self.app: Flask | None = None
        self.generation = 0
        # The inbox filter of the case the test follows (`enterprise=CREDIT_CODE`, `q=TRACKING_NUMBER`): every
        # person's inbox is read through it, as a person searches for the case they are working on.
        self.focus: str | None = None
        self.at(moment)

    def at(self, moment: str) -> County:
        """Stop the app and start it again with the clock pinned at `moment` (an operator's restart)."""
        from web import create_app

        self.close()
        self.monkeypatch.setenv("INSPECTFLOW_CLOCK", moment)
        self.monkeypatch.setenv("DATABASE_URL", self.database_url)
        self.moment = moment
        self.app = create_app({"SECRET_KEY": "acceptance"})  # serve adds only waitress and the scheduler
        self.generation += 1
        return self

    def close(self) -> None:
        if self.app is not None:
            self.app.extensions["inspectflow"].engine.dispose()
            self.app = None

    def cli(self, *args: str) -> str:
        """An `inspectflow` command against the county (the app's own CLI group, as the console script runs it)."""
        assert self.app is not None
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    def sweep(self, moment: str) -> str:
        return self.cli("sweep", "--at", moment)

    def api(self, username: str) -> dict[str, str]:
        """The Authorization header of an API token issued to `username` (`inspectflow users token --json`)."""
        import json

        issued = json.loads(self.cli("users", "token", username, "--json"))
        return {"Authorization": f"Bearer {issued['token']}"}

    def person(self, username: str, password: str = DEMO_PASSWORD) -> Person:
        return Person(self, username, password)

    def visitor(self) -> Visitor:
        return Visitor(self)


class Browser:
    def __init__(self, county: County):
        self.county = county
        self._client = None
        self._generation = -1

    @property
    def client(self):
        """A test client of the running app (a new one after a restart: the session lives in the database)."""
        if self._generation != self.county.generation:
            assert self.county.app is not None
            self._client = self.county.app.test_client()
            self._generation = self.county.generation
            self.arrived()
        return self._client

    def arrived(self) -> None:
        """What to do on a freshly started app (log in)."""

    def get(self, path: str, status: int = 200) -> str:
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code, text_of(response.get_data(True))[:600])
        return response.get_data(as_text=True)

    def post_form(self, path: str, fields: dict, *, status: int = 302, form_page: str | None = None):
        """Post a form the way the browser does: the CSRF token of the page it is on (`form_page`, else `path`)."""
        page = self.get(form_page or path)
        response = self.client.post(path, data={"csrf_token": token_of(page), **fields})
        assert response.status_code == status, (path, response.status_code, text_of(response.get_data(True))[:900])
        return response


class Person(Browser):
    def __init__(self, county: County, username: str, password: str):
        super().__init__(county)
        self.username, self.password = username, password

    def arrived(self) -> None:
        login = self._client.get("/login").get_data(as_text=True)
        response = self._client.post("/login", data={"username": self.username, "password": self.password,
                                                     "csrf_token": token_of(login)})
        assert response.status_code == 302, (self.username, text_of(response.get_data(True))[:400])

    def inbox(self) -> list[tuple[str, str]]:
        """(task id, step name) of every task in the inbox, as listed."""
        listing = self.get(f"/inbox?{self.county.focus}" if self.county.focus else "/inbox")
        return [(task_id, html.unescape(name)) for task_id, name in TASK_LINK.findall(listing)]

    def task(self, name: str) -> str:
        found = [task_id for task_id, listed in self.inbox() if listed == name]
        assert found, f"{self.username} has no 「{name}」 in the inbox: {[n for _, n in self.inbox()]}"
        return found[0]

    def open(self, name: str) -> tuple[str, str]:
        """The task page of the inbox's 「name」: (task id, what the page says)."""
        task_id = self.task(name)
        return task_id, text_of(self.get(f"/tasks/{task_id}"))

    def complete(self, name: str, fields: dict, *, status: int = 302) -> str:
        """Do the inbox's 「name」 with the form's `fields`; returns what the task page said before submitting."""
        task_id = self.task(name)
        page = self.get(f"/tasks/{task_id}")
        response = self.client.post(f"/tasks/{task_id}", data={"csrf_token": token_of(page), **fields})
        assert response.status_code == status, (name, response.status_code, text_of(response.get_data(True))[:900])
        return text_of(page)


class Visitor(Browser):
    """The enterprise (or complainant) on the public portal: no account."""

    def step(self, case_path: str, element_id: str) -> str:
        """The task id of the case's open step `element_id`, as the portal's case page (`case_path`) offers it."""
        page = self.get(case_path)
        found = re.search(rf'id="step-{element_id}">.*?action="/portal/case/steps/([0-9a-f-]{{36}})"', page, re.S)
        assert found, text_of(page)
        return found.group(1)
