"""The OpenAPI document and the interactive docs page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from .helpers import API

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture
def openapi(client: Client, db: Any) -> dict[str, Any]:
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in openapi["paths"].items()
        for method, op in item.items()
    ]


def test_every_operation_documents_its_errors(openapi: dict[str, Any]) -> None:
    ops = _operations(openapi)
    # The foundation's 43; tracking: time 10, board and workflow 5, baselines 6, change
    # requests and what-if 9, earned value 3, Gantt 2; the schedule's state 1;
    # notifications 7; reports 9.
    # ... + resources: people 26, workload 5, money 20, materials 25
    assert len(ops) == 43 + 10 + 5 + 6 + 9 + 3 + 2 + 1 + 7 + 9 + 26 + 5 + 20 + 25
    for method, path, op in ops:
        codes = {int(c) for c in op["responses"]}
        assert 401 in codes, (method, path)
        if method == "GET" and not op.get("parameters"):
            continue  # nothing to send, so nothing to refuse (/me, /me/work)
        assert 422 in codes, (method, path)  # bad ids, bad query or body
        if "{" in path:
            assert 404 in codes, (method, path)
        if method != "GET":
            assert 403 in codes, (method, path)  # roles, and CSRF for browser sessions
        if "requestBody" in op:
            assert 400 in codes, (method, path)  # a body that is not JSON
        for code, response in op["responses"].items():
            if int(code) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": ERROR_REF}, (method, path, code)


def _body_schema(openapi: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]  # type: ignore[no-any-return]


def test_updates_require_a_version_and_say_409(openapi: dict[str, Any]) -> None:
    versioned = 0
    for method, path, op in _operations(openapi):
        if method == "PATCH" or path.endswith(("/move", "/archive", "/restore")):
            if path.endswith("/me"):
                continue  # a profile has no version (see docs/api.md)
            assert "version" in _body_schema(openapi, op).get("required", []), path
            assert "409" in op["responses"], path
            versioned += 1
    # + PATCH of time entries, baselines, change requests and reports
    assert versioned == 10 + 1 + 1 + 1 + 1 + 3 + 3 + 3  # + people, money, materials


def test_lists_are_paged(openapi: dict[str, Any]) -> None:
    lists = 0
    for method, path, op in _operations(openapi):
        ref = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if method == "GET" and ref.get("schema", {}).get("$ref", "").endswith("Page"):
            params = {p["name"]: p["schema"] for p in op["parameters"]}
            assert params["limit"]["maximum"] == 200 and params["limit"]["minimum"] == 1, path
            assert params["offset"]["minimum"] == 0, path
            lists += 1
    # + time entries, timesheets, baselines, change requests, notifications, reports
    assert lists == 11 + 2 + 1 + 1 + 1 + 1 + 8 + 2 + 3 + 7  # + people, workload, money, materials


def test_editable_outputs_carry_a_version(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    for name in (
        "WorkspaceOut",
        "WorkspaceMemberOut",
        "ProjectOut",
        "ProjectMemberOut",
        "GoalOut",
        "TaskOut",
        "DependencyOut",
        "MilestoneOut",
    ):
        assert "version" in schemas[name]["required"], name


def test_decimals_are_strings_and_dates_are_iso(openapi: dict[str, Any]) -> None:
    task = openapi["components"]["schemas"]["TaskOut"]["properties"]
    assert task["duration_days"]["type"] == "string"
    assert {"format": "date", "type": "string"} in task["deadline"]["anyOf"]


def test_operation_ids_are_short(openapi: dict[str, Any]) -> None:
    ids = [op["operationId"] for _m, _p, op in _operations(openapi)]
    assert len(set(ids)) == len(ids)
    assert "task_list" in ids and "project_update" in ids


def _assert_csp_friendly(html: str) -> None:
    """Nothing on the page needs more than `script-src 'self'` and `style-src 'self'`: no inline
    scripts (a JSON data block is not executed) and no assets from elsewhere."""
    for attrs, content in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        if 'type="application/json"' in attrs:
            continue
        assert "src=" in attrs and not content.strip(), f"inline script: {content[:80]!r}"
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), f"asset from another origin: {url}"


def test_docs_page_is_served(client: Client, db: Any) -> None:
    r = client.get(f"{API}/docs")
    assert r.status_code == 200
    assert "script-src 'self'" in r["Content-Security-Policy"]


def test_docs_page_works_under_the_sites_csp(client: Client, db: Any) -> None:
    _assert_csp_friendly(client.get(f"{API}/docs").content.decode())


def test_the_document_has_no_duplicate_keys(client: Client, db: Any) -> None:
    """Swagger UI refuses a document with a key twice (an int 200 from ninja beside a "200"
    from openapi_extra serialises as two "200"s), and then shows no operation at all."""
    import json

    duplicates: list[str] = []

    def check(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _v in pairs]
        duplicates.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(pairs)

    json.loads(client.get(f"{API}/openapi.json").content, object_pairs_hook=check)
    assert duplicates == []
