from django.urls import path

from . import views, views_ev

app_name = "tracking"
urlpatterns = [
    path("timesheet/", views.timesheet_current, name="timesheet"),
    path("timesheet/<str:week>/", views.timesheet_week, name="timesheet_week"),
    path("timesheet/<str:week>/cell/", views.timesheet_cell, name="timesheet_cell"),
    path("timesheet/<str:week>/submit/", views.timesheet_submit, name="timesheet_submit"),
    path("time-entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("time-entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("projects/<int:pk>/time/", views.project_time, name="project_time"),
    path("projects/<int:pk>/earned-value/", views_ev.earned_value, name="earned_value"),
    path(
        "projects/<int:pk>/time/<str:week>/<str:action>/",
        views.project_time_review,
        name="project_time_review",
    ),
]
