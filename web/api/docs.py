"""Route metadata for the OpenAPI document: each view declares its schemas where it is defined."""

from __future__ import annotations

from marshmallow import Schema


def documented(*, summary: str, response: type[Schema] | None = None, many: bool = False, status: int = 200,
               body: type[Schema] | None = None, query: type[Schema] | None = None, public: bool = False,
               errors: tuple[int, ...] = (), content: dict | None = None):
    """Attach the OpenAPI description of a view (read by web.api.openapi)."""

    def decorator(view):
        view.openapi = {"summary": summary, "response": response, "many": many, "status": status, "body": body,
                        "query": query, "public": public, "errors": errors, "content": content}
        return view

    return decorator
