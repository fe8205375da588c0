"""Shapes every API router shares: the error body and paginated lists."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")


class ErrorOut(Schema):
    code: str = Field(examples=["validation_error"])
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


class Page(Schema, Generic[T]):
    count: int
    items: list[T]


# Responses every authenticated endpoint can give, for the OpenAPI document.
COMMON_ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**COMMON_ERRORS, 403: ErrorOut}
UPDATE_ERRORS: dict[int, type[ErrorOut]] = {**WRITE_ERRORS, 409: ErrorOut}
