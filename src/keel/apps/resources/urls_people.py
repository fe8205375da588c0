"""Pages of the people area (included by urls.py under the resources namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []  # type: ignore[type-arg]
