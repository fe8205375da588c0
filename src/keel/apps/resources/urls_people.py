"""Pages of the people area (included by urls.py under the resources namespace)."""

from django.urls import path

from . import views_people as v

urlpatterns = [
    path("workspaces/<int:pk>/people/", v.people_list, name="people"),
    path("workspaces/<int:pk>/people/new/", v.person_create, name="person_create"),
    path("people/<int:pk>/", v.person_detail, name="person"),
    path("people/<int:pk>/edit/", v.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", v.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/skills/", v.person_skill_set, name="person_skill_set"),
    path(
        "people/<int:pk>/skills/<int:skill_pk>/remove/",
        v.person_skill_remove,
        name="person_skill_remove",
    ),
    path("people/<int:pk>/rates/", v.person_rate_add, name="person_rate_add"),
    path("rates/<int:pk>/", v.rate_edit, name="rate_edit"),
    path("rates/<int:pk>/delete/", v.rate_delete, name="rate_delete"),
    path("people/<int:pk>/leave/", v.person_leave_add, name="person_leave_add"),
    path("leave/<int:pk>/delete/", v.leave_delete, name="leave_delete"),
    path("tasks/<int:pk>/skills/", v.task_skills, name="task_skills"),
    path("tasks/<int:pk>/assignments/", v.task_assignments, name="task_assignments"),
    path("projects/<int:pk>/people/", v.project_people, name="project_people"),
]
