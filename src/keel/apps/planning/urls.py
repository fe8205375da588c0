from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("projects/<int:pk>/tasks/", views.tree, name="tree"),
    path("projects/<int:pk>/tasks/add/", views.task_add, name="task_add"),
    path("projects/<int:pk>/milestones/", views.milestones, name="milestones"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/row/", views.task_row, name="task_row"),
    path("tasks/<int:pk>/row/edit/", views.task_row_edit, name="task_row_edit"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/move/", views.task_move, name="task_move"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/history/", views.task_history, name="task_history"),
    path(
        "tasks/<int:pk>/predecessors/add/",
        views.dependency_add,
        {"side": "predecessor"},
        name="predecessor_add",
    ),
    path(
        "tasks/<int:pk>/successors/add/",
        views.dependency_add,
        {"side": "successor"},
        name="successor_add",
    ),
    path("dependencies/<int:pk>/remove/", views.dependency_remove, name="dependency_remove"),
    path("goals/<int:pk>/tasks/", views.goal_tasks, name="goal_tasks"),
]
