from django.contrib import admin
from django.urls import include, path

from keel.api.main import api
from keel.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("keel.web.urls")),
    path("", include("keel.apps.accounts.urls")),
    path("", include("keel.apps.projects.urls")),
    path("", include("keel.apps.planning.urls")),
    path("", include("keel.apps.tracking.urls")),
    path("", include("keel.apps.notifications.urls")),
    path("", include("keel.apps.reporting.urls")),
    path("", include("keel.apps.resources.urls")),
]

handler400 = "keel.web.views.bad_request"
handler403 = "keel.web.views.permission_denied"
handler404 = "keel.web.views.page_not_found"
handler500 = "keel.web.views.server_error"
