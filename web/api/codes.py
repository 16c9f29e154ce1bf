"""Public verification of a 行政行为码 (behaviour code): no login. Unknown codes reveal nothing else."""

from __future__ import annotations

from engine.domain import behavior_code
from web.api import bp
from web.api.docs import documented
from web.api.errors import ApiError
from web.api.schemas import CodeVerificationSchema
from web.services import services


@bp.get("/codes/<code>")
@documented(summary="Verify a behaviour code (public)", response=CodeVerificationSchema, public=True,
            errors=(404,))
def verify_code(code: str):
    svc = services()
    with svc.sessions() as session:
        verification = behavior_code.lookup(session, code[:200], svc.clock().now())
        if verification is None:
            raise ApiError(404, "code_not_found", "no such code")
        return CodeVerificationSchema().dump(verification.to_dict())
