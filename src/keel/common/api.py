"""What every API router shares: the error body, paginated lists, bounds on ids, numbers,
dates and text, and the OpenAPI error responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.params.functions import Path
from ninja.security import SessionAuth
from pydantic import AfterValidator, Field, field_validator
from pydantic_core import PydanticCustomError

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


# ---------------------------------------------------------------- bounds and list helpers
# Anything a client sends reaches the database only inside these bounds, so an absurd number
# is a 422 with a field message rather than an overflow deep in a driver.

MAX_ID = 2**63 - 1  # BigAutoField
MAX_INT = 2**31 - 1  # the smallest integer column Keel uses (PostgreSQL integer)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_INT, description="The `version` you last read.")]
# Dates a plan can hold: the engine counts working days from them, so keep far from year 9999.
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]


def _quantize(places: int) -> Callable[[Decimal], Decimal]:
    exponent = Decimal(1).scaleb(-places)

    def quantize(value: Decimal) -> Decimal:
        return value.quantize(exponent)

    return quantize


# Decimals leave the API as strings with the column's scale ("8.00", never "8" or 8.0),
# whether the row was just written or read back.
Decimal2 = Annotated[Decimal, AfterValidator(_quantize(2))]
Decimal4 = Annotated[Decimal, AfterValidator(_quantize(4))]

MSG_TEXT = _("Text may not contain null characters or unpaired surrogates.")


def _clean_text(value: Any) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("text", str(MSG_TEXT))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError("text", str(MSG_TEXT)) from None
    elif isinstance(value, list):
        for item in value:
            _clean_text(item)
    return value


class In(Schema):
    """Base of every request body and query schema: text must be storable in any database."""

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        return _clean_text(value)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable(**constraints: Any) -> Any:
    """A PATCH field that may be left out but, when sent, may not be null."""
    return Field(default=None, json_schema_extra=_drop_default, **constraints)


class ListQuery(In):
    limit: int = Field(50, ge=1, le=200, description="Rows per page (1..200).")
    offset: int = Field(0, ge=0, le=MAX_INT, description="Rows to skip.")


class OrderedListQuery(ListQuery):
    ordering: str | None = Field(
        None,
        max_length=200,
        description="Comma-separated field names, `-` for descending, e.g. `-start,name`.",
    )


def paginate(rows: QuerySet[Any] | Sequence[Any], query: ListQuery) -> dict[str, Any]:
    """One count and one page of rows (plus the selector's prefetches), whatever the size."""
    end = query.offset + query.limit
    if isinstance(rows, QuerySet):
        return {"count": rows.count(), "items": list(rows[query.offset : end])}
    return {"count": len(rows), "items": list(rows[query.offset : end])}


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation documents, e.g. `errors(401, 404, 422)`."""
    return dict.fromkeys(codes, ErrorOut)


class FieldChangeOut(Schema):
    field: str
    label: str
    old: Any = None
    new: Any = None


class HistoryEntryOut(Schema):
    """One entry of an object's history (`keel.apps.audit.selectors.HistoryEntry`)."""

    when: dt.datetime
    who_id: int | None = None
    who: str | None = None
    action: str
    changes: list[FieldChangeOut]
    reason: str

    @staticmethod
    def resolve_who_id(obj: Any) -> int | None:
        return getattr(obj.who, "pk", None)

    @staticmethod
    def resolve_who(obj: Any) -> str | None:
        return None if obj.who is None else str(obj.who)


class HistoryPage(Page[HistoryEntryOut]):
    pass


class ActiveSessionAuth(SessionAuth):
    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing for CSRF to protect: answer 401 (not
        # authenticated) rather than ninja's 403 "CSRF check failed".
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "is_active", False):
            return user
        return None
