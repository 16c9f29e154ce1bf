"""Reading request bodies and queries through schemas, and writing responses through them."""

from __future__ import annotations

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest


def json_body(schema: Schema) -> dict:
    """The request's JSON object, validated. Malformed JSON → 400; a valid document with errors → 422."""
    if not request.get_data():
        payload: object = {}
    else:
        try:
            payload = request.get_json(force=True, silent=False)
        except BadRequest:
            raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["the body must be a JSON object"]})
    return schema.load(payload)


def query_args(schema: Schema) -> dict:
    return schema.load(request.args.to_dict())
