"""Request guards shared by every API route."""

from __future__ import annotations

import re

from flask import Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

from app.common.fields import INT_MAX
from app.errors import AppError

# Deeper than any body the app takes; json.loads would hit RecursionError (a 500) long before
# MAX_JSON_BYTES for a body such as "[" * 100000.
MAX_JSON_DEPTH = 32
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def decimal_up_to(limit: int) -> str:
    """Return a regular expression for the decimal numbers 0..limit (leading zeros allowed)."""
    digits = str(limit)
    shorter = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    below = [
        rf"{digits[:i]}[0-{int(d) - 1}]\d{{{len(digits) - i - 1}}}"
        for i, d in enumerate(digits)
        if d != "0"
    ]
    return "(?:" + "|".join([*shorter, *below, digits]) + ")"


# Out-of-range ids and control characters must fail the rule's regular expression, not its
# to_python: werkzeug reports a to_python refusal as 405 when the same path has a rule for
# another method (flask-smorest adds one rule per method), where no match at all is a 404.
TEXT_CHARACTER = r"[^/\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
PATH_CHARACTER = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


class IdConverter(IntegerConverter):
    """`<int:...>` in a URL: a database id, so 0..2**31-1; anything larger is simply no match."""

    regex = decimal_up_to(INT_MAX)

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """A text segment of a URL (`<code>`): control characters are no match (a 404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", TEXT_CHARACTER)


class TextPathConverter(PathConverter):
    """`<path:...>` without control characters (os.path refuses NUL)."""

    regex = f"{TEXT_CHARACTER}{PATH_CHARACTER}*?"


class PagePathConverter(TextPathConverter):
    """`<page:...>`: a path of the web app, never one under /api/.

    The web app's catch-all must not shadow the API: a PATCH to an API path that no route
    matches (an id beyond 32 bits, say) would otherwise answer 405, the catch-all being GET-only.
    """

    regex = rf"(?!api(?:/|$)){TEXT_CHARACTER}{PATH_CHARACTER}*?"


URL_CONVERTERS = {
    "default": TextConverter,
    "string": TextConverter,
    "path": TextPathConverter,
    "page": PagePathConverter,
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
