"""The network side of delivery: one POST with httpx, never raising (a receiver that is
down is an attempt to log, not a crash of the worker)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from orderforge.webhooks.ports import Response

TIMEOUT_SECONDS = 10.0


class HttpSender:
    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout

    def post(self, url: str, body: str, headers: Mapping[str, str]) -> Response:
        try:
            # Redirects are not followed: a receiver that moved must be re-registered,
            # otherwise a signed event could be forwarded somewhere nobody chose.
            reply = httpx.post(
                url,
                content=body.encode("utf-8"),
                headers=dict(headers),
                timeout=self.timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            return Response(status_code=None, error=f"{type(exc).__name__}: {exc}"[:500])
        return Response(status_code=reply.status_code, error=None)
