"""API authentication: personal tokens (Authorization: Bearer keel_...) or the browser
session (with CSRF), so the pages' own scripts can call the API too."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer

from keel.apps.accounts.selectors import user_for_token
from keel.common.api import ActiveSessionAuth


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        # The audit trail reads request.user; make token calls attributable too.
        request.user = user
        # UserPreferencesMiddleware ran before the token was read: answer in the person's
        # language as it does for a signed-in browser.
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return user


AUTH = [TokenAuth(), ActiveSessionAuth()]
