"""The resource allocation API: one router assembled from each area's."""

from ninja import Router

from .api_money import router as money_router
from .api_people import router as people_router
from .api_stock import router as stock_router
from .api_workload import router as workload_router

router = Router()
router.add_router("", people_router)
router.add_router("", workload_router)
router.add_router("", money_router)
router.add_router("", stock_router)
