"""What the API tests share: JSON calls, query counting, the error shape, the role tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

API = "/api/v1"


@dataclass
class Api:
    """A JSON client for /api/v1."""

    client: Client

    def call(self, method: str, path: str, body: Any = None, **query: Any) -> HttpResponse:
        url = API + path
        if query:
            url += "?" + urlencode(query)
        data = "" if body is None else json.dumps(body)
        return self.client.generic(method, url, data, content_type="application/json")

    def get(self, path: str, **query: Any) -> HttpResponse:
        return self.call("GET", path, **query)

    def post(self, path: str, body: Any = None) -> HttpResponse:
        return self.call("POST", path, body)

    def patch(self, path: str, body: Any = None) -> HttpResponse:
        return self.call("PATCH", path, body)

    def put(self, path: str, body: Any = None) -> HttpResponse:
        return self.call("PUT", path, body)

    def delete(self, path: str) -> HttpResponse:
        return self.call("DELETE", path)

    def queries(self, path: str, **query: Any) -> tuple[int, dict[str, Any]]:
        """How many SQL queries a GET runs, and its body."""
        with CaptureQueriesContext(connection) as ctx:
            r = self.get(path, **query)
        assert r.status_code == 200, r.content
        return len(ctx.captured_queries), r.json()


def assert_error(
    r: HttpResponse, status: int, code: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """The response is our error shape with this status (and code, and a message for field)."""
    assert r.status_code == status, (r.status_code, r.content)
    body: dict[str, Any] = r.json()
    assert set(body) == {"code", "message", "fields"}, body
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body["fields"].get(field), body
    return body


# Expected answers per role of tests/conftest.py ROLES, from docs/permissions.md.
# Project roles: owner and admin of the workspace act as managers; ws_member and outsider have
# no role in the project (404).
PROJECT_VIEW = {
    "owner": 200,
    "admin": 200,
    "manager": 200,
    "member": 200,
    "viewer": 200,
    "ws_member": 404,
    "outsider": 404,
}
PROJECT_MANAGE = {
    "owner": 200,
    "admin": 200,
    "manager": 200,
    "member": 403,
    "viewer": 403,
    "ws_member": 404,
    "outsider": 404,
}
PROJECT_EDIT_TASKS = {
    "owner": 200,
    "admin": 200,
    "manager": 200,
    "member": 200,
    "viewer": 403,
    "ws_member": 404,
    "outsider": 404,
}


def expect(table: dict[str, int], role: str, success: int) -> int:
    """The table's status for the role, with 200 replaced by the operation's success code."""
    status = table[role]
    return success if status == 200 else status
