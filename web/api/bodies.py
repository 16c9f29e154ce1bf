"""Reading request bodies and queries through schemas, and writing responses through them.

A body is read as strict JSON (RFC 8259): no NaN or Infinity, no number too large for a float (1e999), no
nesting deeper than the engine keeps (engine.runtime.data_limits.MAX_DEPTH), and no text a database cannot
store (NUL, unpaired surrogates). Each is a 400 naming where in the document it is; the schema's own
errors are a 422.
"""

from __future__ import annotations

import json

from flask import request
from marshmallow import Schema, ValidationError

from engine.runtime.data_limits import storable_problem
from web.input_guard import InputRefused


def _not_json(constant: str) -> float:
    raise ValueError(f"{constant} is not a JSON number")


def strict_json(raw: bytes) -> object:
    """The JSON document in `raw`, or `InputRefused` (400) saying what is wrong and where."""
    try:
        document = json.loads(raw, parse_constant=_not_json)
    except RecursionError:
        raise InputRefused("the request body is nested too deeply") from None
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
        raise InputRefused(f"the request body is not valid JSON: {err}") from None
    found = storable_problem(document, root="body")
    if found is not None:
        path, problem = found
        raise InputRefused(f"{path} {problem}", at=path)
    return document


def json_body(schema: Schema) -> dict:
    """The request's JSON object, validated. Malformed JSON → 400; a valid document with errors → 422."""
    raw = request.get_data()
    payload = strict_json(raw) if raw else {}
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["the body must be a JSON object"]})
    return schema.load(payload)


def query_args(schema: Schema) -> dict:
    return schema.load(request.args.to_dict())
