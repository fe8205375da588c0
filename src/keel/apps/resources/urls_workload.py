"""Pages of the workload area (included by urls.py under the resources namespace)."""

from django.urls import path

from . import views_workload as views

urlpatterns = [
    path("workspaces/<int:pk>/workload/", views.workload, name="workload"),
    path("resources/<int:pk>/workload/<str:week>/", views.workload_cell, name="workload_cell"),
    path("tasks/<int:pk>/people/", views.find_people, name="find_people"),
    path("projects/<int:pk>/leveling/", views.leveling, name="leveling"),
]
