"""The one error shape (application/problem+json) and the errors services raise."""

from __future__ import annotations

import http
from typing import Any

from flask import Flask, Response, json, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, Schema
from werkzeug.exceptions import HTTPException, UnprocessableEntity

from app.common import fields as f

PROBLEM_MIMETYPE = "application/problem+json"

# zh-CN first, English second: what a user reads when the API refuses a request.
HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("请求格式错误", "The request could not be understood."),
    401: ("请先登录", "Please log in."),
    403: ("没有权限执行此操作", "You are not allowed to do this."),
    404: ("找不到该对象", "Not found."),
    405: ("不支持该请求方法", "This method is not allowed here."),
    409: ("与当前状态冲突", "This conflicts with the current state."),
    410: ("已作废，不再可用", "This is no longer available."),
    413: ("上传内容过大", "The request body is too large."),
    415: ("不支持的内容类型", "Unsupported content type."),
    422: ("提交的数据有误", "Some fields are not valid."),
    429: ("请求过于频繁", "Too many requests."),
    500: ("服务器内部错误", "Internal server error."),
}


class AppError(Exception):
    """An error a service raises on purpose; the handler turns it into problem+json."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message_zh: str | None = None,
        message_en: str | None = None,
        *,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        default_zh, default_en = HTTP_MESSAGES.get(self.status, ("", ""))
        self.message_zh = message_zh or default_zh
        self.message_en = message_en or default_en
        self.errors = dict(errors or {})
        if field:
            self.errors.setdefault(field, []).append(self.message_en)
        self.extra = extra
        super().__init__(self.message_en)

    def headers(self) -> dict[str, str]:
        """Return the HTTP headers the answer carries besides the problem body."""
        return {}


class Invalid(AppError):
    """Input that is well-formed but breaks a rule (422, names the field)."""

    status = 422
    code = "invalid"


class Unauthorized(AppError):
    """No valid session or token (401)."""

    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    """The caller may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(AppError):
    """No such object in the caller's scope (404)."""

    status = 404
    code = "not_found"


class Conflict(AppError):
    """The request clashes with the stored state (409)."""

    status = 409
    code = "conflict"


class TooManyRequests(AppError):
    """Too many attempts: try again after `retry_after` seconds (429 with Retry-After)."""

    status = 429
    code = "too_many_requests"

    def __init__(
        self, message_zh: str | None = None, message_en: str | None = None, *, retry_after: int
    ) -> None:
        super().__init__(message_zh, message_en, retry_after=retry_after)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        """Tell the client when to try again."""
        return {"Retry-After": str(self.retry_after)}


class Gone(AppError):
    """The thing existed but was retired for good, e.g. a replaced label code (410)."""

    status = 410
    code = "gone"


def wants_chinese() -> bool:
    """Tell whether the caller prefers Chinese; Chinese is the default."""
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
    return not best.startswith("en")


def problem(
    status: int,
    code: str,
    message_zh: str,
    message_en: str,
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> Response:
    """Build a problem+json response."""
    title = HTTP_MESSAGES.get(status, ("", "Error"))[1]
    body: dict[str, Any] = {
        "type": "about:blank",
        "status": status,
        "code": code,
        "title": title,
        "detail": message_zh if wants_chinese() else message_en,
        "detail_zh": message_zh,
        "detail_en": message_en,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested messages into dotted field paths."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_schema"] = list(messages)
    else:
        out[prefix or "_schema"] = [str(messages)]
    return out


def _validation_errors(exc: HTTPException) -> dict[str, list[str]]:
    messages = (getattr(exc, "data", None) or {}).get("messages", {})
    errors: dict[str, list[str]] = {}
    for location, fields in messages.items():
        flat = _flatten(fields)
        if location in ("json", "form", "files"):
            errors.update(flat)
        else:
            errors.update({f"{location}.{k}": v for k, v in flat.items()})
    return errors


class ProblemDetailsSchema(Schema):
    """What problem() answers, as the OpenAPI document describes every error response."""

    class Meta:
        unknown = INCLUDE  # an AppError may add fields of its own (e.g. the existing row's id)

    type = f.String(required=True)
    status = f.Integer(required=True)
    code = f.String(required=True)
    title = f.String(required=True)
    detail = f.String(required=True)
    detail_zh = f.String(required=True)
    detail_en = f.String(required=True)
    errors = f.Dict(
        keys=f.String(),
        values=f.List(f.String()),
        metadata={"description": "The messages of each refused field, by its dotted path"},
    )


class ProblemApi(Api):
    """flask-smorest's Api, documenting every error response as problem+json."""

    ERROR_SCHEMA = ProblemDetailsSchema

    def _register_responses(self) -> None:
        """Lazily register a response per status code and the default one, all problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def handle_app_error(exc: AppError) -> Response:
    """Render an AppError."""
    response = problem(
        exc.status, exc.code, exc.message_zh, exc.message_en, exc.errors, **exc.extra
    )
    response.headers.update(exc.headers())
    return response


def handle_http_exception(exc: HTTPException) -> Response:
    """Render any HTTP error (including flask-smorest's validation errors) as problem+json."""
    status = exc.code or 500
    zh, en = HTTP_MESSAGES.get(status, (exc.name, exc.name))
    errors = _validation_errors(exc)
    if status == 400 and any("JSON" in m for msgs in errors.values() for m in msgs):
        zh, en = "请求体不是有效的 JSON", "The request body is not valid JSON."
        errors = {}
    elif isinstance(exc, UnprocessableEntity) and errors:
        names = ", ".join(sorted(errors))
        zh, en = f"以下字段有误：{names}", f"Invalid fields: {names}"
    response = problem(status, f"http_{status}", zh, en, errors)
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def handle_unexpected(exc: Exception) -> Response:
    """Log an unexpected error and answer 500 without a stack trace."""
    from flask import current_app

    current_app.logger.exception("unhandled error", exc_info=exc)
    zh, en = HTTP_MESSAGES[500]
    return problem(500, "internal", zh, en)


def register_error_handlers(app: Flask) -> None:
    """Install the problem+json handlers (after flask-smorest, replacing its own)."""
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
