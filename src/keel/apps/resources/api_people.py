"""API of the people area."""

from ninja import Router

router = Router()
