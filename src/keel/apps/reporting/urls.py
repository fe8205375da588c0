from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("projects/<int:pk>/reports/", views.reports, name="reports"),
    path("projects/<int:pk>/reports/settings/", views.report_settings, name="settings"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("reports/<int:pk>/delete/", views.report_delete, name="delete"),
]
