"""Log lines: JSON (one object a line) or text, one line per request and one per fired timer.

`configure` gives the root logger one handler of ours (replaced, never doubled, when another app is built in
the same process) writing to stderr, and sets inspectflow's own loggers (engine.*, web.*, inspectflow.*) to
LOG_LEVEL; other libraries keep Python's default (warnings and worse), so APScheduler's per-run chatter stays out.

Every request gets an id: the caller's X-Request-ID when it looks like one, else a new one; it is sent back in
the response's X-Request-ID and stamped on every line logged while the request runs. The request's own line
(logger `inspectflow.request`) says method, path, endpoint, status, duration_ms, the user's id (never a name)
and the instance and task the request was about: from the route, or what the engine started or completed
during it (engine.platform.events). The fired-timer line (logger `inspectflow.timer`) is written by the
process whose sweep fired it — `serve` or `scheduler`, both built by web.create_app — after the firing
committed. Fields go in with `extra=`; the JSON formatter writes every extra a record carries.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

from engine.platform import events

LOG_FORMATS = ("json", "text")
OWN_LOGGERS = ("engine", "web", "inspectflow")
REQUEST_ID_HEADER = "X-Request-ID"
_GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_STANDARD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

request_log = logging.getLogger("inspectflow.request")
timer_log = logging.getLogger("inspectflow.timer")


class JsonLines(logging.Formatter):
    """One JSON object per record: ts (UTC), level, logger, message, request_id inside a request, every extra
    field, and the traceback as `exc` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        line.update((key, value) for key, value in vars(record).items() if key not in _STANDARD_FIELDS)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class _Handler(logging.StreamHandler):
    """The handler `configure` installs; its class tells it apart from anyone else's. Unless given a stream
    (`setStream`), it writes to whatever sys.stderr is at the time, as logging's last resort does."""

    def __init__(self) -> None:
        self._fixed: object = None
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):
        return self._fixed or sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        self._fixed = None if value is sys.stderr else value


def configure(log_format: str, level: str) -> logging.Handler:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"INSPECTFLOW_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _Handler)), None)
    if handler is None:
        handler = _Handler()
        root.addHandler(handler)
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
    return handler


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.before_request(_begin)
    app.after_request(_finish)
    for kind in events.KINDS:
        events.listen(kind, _note_event)  # once per process: listen() ignores a listener it already has


def _begin() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _GOOD_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def request_seconds() -> float:
    """How long this request has run (its handling in this process, from the first before_request hook)."""
    return time.perf_counter() - g.get("request_started", time.perf_counter())


def endpoint_label() -> str:
    """The route's endpoint (bounded: one per route), never the raw path."""
    return request.url_rule.endpoint if request.url_rule is not None else "unmatched"


def _finish(response: Response) -> Response:
    if "request_id" not in g:  # a before_request hook ahead of ours answered (none does today)
        _begin()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    fields: dict[str, object] = {
        "event": "request", "method": request.method, "path": request.path, "endpoint": endpoint_label(),
        "status": response.status_code, "duration_ms": round(request_seconds() * 1000, 3),
        "user_id": _user_id(),
    }
    about = {**(request.view_args or {}), **g.get("log_about", {})}
    for key in ("instance_id", "task_id"):
        if about.get(key) is not None:
            fields[key] = about[key]
    request_log.info("%s %s %s %.1fms", request.method, request.path, response.status_code,
                     fields["duration_ms"], extra=fields)
    return response


def _user_id() -> int | None:
    # Only a user this request already loaded: logging never costs a lookup.
    for name in ("api_user", "user"):
        user = g.get(name)
        if user is not None:
            return user.id
    return None


def _note_event(happened: events.Event) -> None:
    if happened.kind == "fired":
        _log_fired(happened)
    elif has_request_context():
        about = g.setdefault("log_about", {})
        about["instance_id"] = happened.instance_id
        if happened.task_id is not None:
            about["task_id"] = happened.task_id


def _log_fired(happened: events.Event) -> None:
    assert happened.due_at is not None
    timer_log.info("timer %s fired on instance %s (%s)", happened.element_id, happened.instance_id,
                   happened.process_key,
                   extra={"event": "timer.fired", "process_key": happened.process_key,
                          "instance_id": happened.instance_id, "task_id": happened.task_id,
                          "element_id": happened.element_id, "due_at": happened.due_at.isoformat(),
                          "fired_at": happened.at.isoformat(),
                          "late_s": round((happened.at - happened.due_at).total_seconds(), 3)})
