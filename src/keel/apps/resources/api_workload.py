"""API of the workload area."""

from ninja import Router

router = Router()
