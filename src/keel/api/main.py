"""The JSON API under /api/v1, assembled from each app's router."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.operation import Operation

from keel.apps.accounts.api import router as accounts_router
from keel.apps.notifications.api import router as notifications_router
from keel.apps.planning.api import router as planning_router
from keel.apps.planning.api_gantt import router as gantt_router
from keel.apps.projects.api import router as projects_router
from keel.apps.reporting.api import router as reporting_router
from keel.apps.resources.api import router as resources_router
from keel.apps.tracking.api import router as tracking_router
from keel.apps.tracking.api_ev import router as ev_router

from . import errors
from .auth import AUTH


class KeelAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids (`task_list`, `project_update`) for generated clients; every
        # endpoint function name is unique across the routers.
        return operation.view_func.__name__


api = KeelAPI(
    title="Keel API",
    version="1",
    description=(
        "Project operations management. Authenticate with a personal API token "
        "(`Authorization: Bearer keel_...`, created in Settings → API tokens or with "
        "`keel token create`). Errors are JSON `{code, message, fields}`; an update that "
        "carries a stale `version` is answered 409 and changes nothing."
    ),
    auth=AUTH,
    urls_namespace="api",
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", projects_router)
api.add_router("", planning_router)
api.add_router("", gantt_router)
api.add_router("", tracking_router)
api.add_router("", notifications_router)
api.add_router("", ev_router)
api.add_router("", reporting_router)
api.add_router("", resources_router)
