"""Fixtures for the API tests: an authenticated JSON client per user or per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ..conftest import World
from .helpers import Api


@pytest.fixture
def api(api_client: Callable[[Any], Client]) -> Callable[[Any], Api]:
    """api(user) -> an Api authenticated with a fresh token of that user; api(None) is anonymous."""

    def _make(user: Any) -> Api:
        return Api(api_client(user))

    return _make


@pytest.fixture
def as_role(world: World, api: Callable[[Any], Api]) -> Callable[[str], Api]:
    """as_role("viewer") -> an Api for the person holding that role in `world`."""

    def _make(role: str) -> Api:
        return api(world.user(role))

    return _make
