"""The app-wide guard on what a request may carry, before any view runs: bad input is a 400/404/413 in the
error shape of its side (a JSON error under /api/, an error page elsewhere), never a database error.

- `int` in a route matches only ids a database integer column can hold (up to 2³¹−1); a larger id is a 404 like
  any unknown one (PostgreSQL refuses to compare an INTEGER column with a larger number).
- The path, every query parameter and every form field (names and values) are refused with a 400 naming the
  field when they contain NUL or another control character (PostgreSQL cannot store NUL in text; none of them
  belongs in anything a person types). Tab, line feed and carriage return stay allowed: text areas send them.
- A body longer than `MAX_CONTENT_LENGTH` (web.config) is refused with 413 from its Content-Length, before
  a byte of it is read; a body sent without a length is cut off by Werkzeug at the same limit while it is read.
"""

from __future__ import annotations

import re

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from engine.runtime.data_limits import DATABASE_INTEGER_MAX

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class DatabaseIntegerConverter(IntegerConverter):
    """Werkzeug's `int`, bounded to what an id column holds."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - Werkzeug's names
                 max: int | None = DATABASE_INTEGER_MAX, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class InputRefused(BadRequest):
    """A 400 whose `details` name the field (read by web.api.errors for the JSON shape)."""

    def __init__(self, description: str, **details: object) -> None:
        super().__init__(description)
        self.details = details


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter applies to the routes added after it."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.before_request(guard_request)


def guard_request() -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        megabytes = f"{limit / 2**20:g}"
        raise RequestEntityTooLarge(_api_or_page(f"the request body is larger than the limit of {limit:,} bytes",
                                                 _("提交的内容超过 %(limit)s MB 的上限。", limit=megabytes)))
    if _CONTROL.search(request.path):
        _refuse("path")
    for where, values in (("query", request.args), *((("form", request.form),)
                                                    if request.mimetype in _FORM_TYPES else ())):
        for name, value in values.items(multi=True):
            if _CONTROL.search(name) or _CONTROL.search(value):
                _refuse(where, _CONTROL.sub("?", name))


def _refuse(where: str, name: str | None = None) -> None:
    shown = name if name is not None else _("网址")
    subject = f"the {where} field {name!r}" if name is not None else f"the {where}"
    raise InputRefused(_api_or_page(f"{subject} contains a control character (such as NUL), which is not allowed",
                                    _("“%(field)s”含有不允许的控制字符（如 NUL），请删去后重试。", field=shown)),
                       **{"in": where, **({"field": name} if name is not None else {})})


def _api_or_page(english: str, worded: str) -> str:
    """The API keeps the engine's English; pages speak the visitor's language."""
    return english if request.path.startswith("/api/") else worded
