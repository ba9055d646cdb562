"""Request guards shared by every API route."""

from __future__ import annotations

import re

from flask import Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError

from app.common.fields import INT_MAX, has_control_characters
from app.errors import AppError

# Deeper than any body the app takes; json.loads would hit RecursionError (a 500) long before
# MAX_JSON_BYTES for a body such as "[" * 100000.
MAX_JSON_DEPTH = 32
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class IdConverter(IntegerConverter):
    """`<int:...>` in a URL: a database id, so 0..2**31-1; anything larger is simply no match."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """A text segment of a URL (`<code>`): control characters are no match (a 404)."""

    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


class TextPathConverter(PathConverter):
    """`<path:...>` without control characters (os.path refuses NUL)."""

    def to_python(self, value: str) -> str:
        if has_control_characters(value):
            raise ValidationError()
        return value


URL_CONVERTERS = {
    "default": TextConverter,
    "string": TextConverter,
    "path": TextPathConverter,
    "int": IdConverter,
}


def limit_json_body() -> None:
    """Refuse JSON bodies over MAX_JSON_BYTES, or nested too deeply, before anything parses them."""
    if not request.path.startswith("/api/") or not request.is_json:
        return
    length = request.content_length
    if length is not None and length > current_app.config["MAX_JSON_BYTES"]:
        raise RequestEntityTooLarge()
    body = request.get_data(cache=True)
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and json_depth(body) > MAX_JSON_DEPTH:
        raise AppError(
            f"请求体嵌套过深（最多 {MAX_JSON_DEPTH} 层）",
            f"The JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels).",
        )


def json_depth(body: bytes) -> int:
    """Return how deeply arrays and objects nest in a JSON text (brackets in strings ignored)."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(body):
        char = token.group()
        if char in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return depth
            deepest = max(deepest, depth)
        elif char in (b"]", b"}"):
            depth -= 1
    return deepest


def answer_unchanged(response: Response) -> Response:
    """Tag a GET's JSON answer so a phone revalidates it, and answer 304 when it has it already.

    The offline pack (checkpoints, checklists, vocabulary) is fetched at every app start; on a
    slow network the unchanged copy should cost a few hundred bytes, not the whole pack again.
    """
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.mimetype != "application/json"
        or response.direct_passthrough
    ):
        return response
    # private: the answer is this caller's; no-cache: always ask, never show a stale copy.
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.add_etag()
    response.make_conditional(request)  # turns this response into the 304 when it matches
    return response
