from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_create, name="create"),
    # projects/<pk>/ is the overview, web:project_overview (it reads the plan too)
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/archive/", views.project_archive, name="archive"),
    path(
        "projects/<int:pk>/calendar/exceptions/add/",
        views.calendar_exception_add,
        name="calendar_exception_add",
    ),
    path(
        "projects/<int:pk>/calendar/exceptions/<int:exception_pk>/remove/",
        views.calendar_exception_remove,
        name="calendar_exception_remove",
    ),
    path("projects/<int:pk>/members/", views.project_members_view, name="members"),
    path("projects/<int:pk>/members/add/", views.project_member_add, name="member_add"),
    path(
        "projects/<int:pk>/members/<int:member_pk>/role/",
        views.project_member_role,
        name="member_role",
    ),
    path(
        "projects/<int:pk>/members/<int:member_pk>/remove/",
        views.project_member_remove,
        name="member_remove",
    ),
    path("projects/<int:pk>/history/", views.project_history, name="history"),
    path("projects/<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/", views.goal_detail, name="goal"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
]
