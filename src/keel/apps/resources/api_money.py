"""API of the money area."""

from ninja import Router

router = Router()
