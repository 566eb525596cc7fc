"""Security headers on every response, pages and API alike.

The Content-Security-Policy allows scripts only from our own static files (no inline
script, no eval), so an injected <script> in a page does nothing; frame-ancestors and
X-Frame-Options keep pages out of other sites' frames (click-jacking). Inline style
attributes stay allowed: they cannot run code. The Swagger UI at /docs boots with an
inline script the package generates, so that one page alone allows inline script. A
response that brings its own policy (a downloaded attachment: `default-src 'none';
sandbox`, stricter than any page's) keeps it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect")
CSP_HEADER = b"content-security-policy"


def security_headers(path: str, *, https: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (CSP_HEADER, (DOCS_CSP if path in DOCS_PATHS else CSP).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"], https=self.https)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                # A response may bring a stricter policy of its own (an SVG image: no
                # script, no fetch at all); it is kept instead of the pages' policy.
                own_policy = any(k.lower() == CSP_HEADER for k, _ in headers)
                added = [h for h in extra if not (own_policy and h[0] == CSP_HEADER)]
                names = {name for name, _ in added}
                kept = [(k, v) for k, v in headers if k.lower() not in names]
                message["headers"] = kept + added
            await send(message)

        await self.app(scope, receive, send_with_headers)
