"""API of the stock area."""

from ninja import Router

router = Router()
