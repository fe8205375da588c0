"""Refuse request bodies bigger than anything Keel accepts before anything reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but writes an uploaded file of
    any size to disk before a view can look at it; a receipt of 10 MB is the largest thing
    Keel takes, so a body declared much bigger is refused at once (413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit: int = settings.KEEL_MAX_REQUEST_BYTES
        if length > limit:
            message = _("The request is too large: at most %(mb)d MB can be sent.") % {
                "mb": limit // (1024 * 1024)
            }
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "too_large", "message": message, "fields": {}}, status=413
                )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
