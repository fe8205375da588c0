"""Template context every page gets: the signed-in person's workspaces for the menu."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"LANGUAGES_CHOICES": settings.LANGUAGES}
