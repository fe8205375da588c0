from django.urls import path

from . import views, views_board, views_gantt

app_name = "planning"
urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("projects/<int:pk>/tasks/", views.tree, name="tree"),
    path("projects/<int:pk>/tasks/add/", views.task_add, name="task_add"),
    path("projects/<int:pk>/schedule/", views.schedule_status, name="schedule_status"),
    path("projects/<int:pk>/milestones/", views.milestones, name="milestones"),
    path("projects/<int:pk>/baselines/", views.baselines, name="baselines"),
    path("projects/<int:pk>/list/", views.task_list, name="list"),
    path("projects/<int:pk>/calendar/", views.calendar_month, name="calendar"),
    path("projects/<int:pk>/burndown/", views.burndown, name="burndown"),
    path("projects/<int:pk>/changes/", views.change_requests, name="change_requests"),
    path("projects/<int:pk>/changes/new/", views.change_request_new, name="change_request_new"),
    path("changes/<int:pk>/", views.change_request_detail, name="change_request"),
    path("projects/<int:pk>/gantt/", views_gantt.gantt, name="gantt"),
    path("projects/<int:pk>/board/", views_board.board_page, name="board"),
    path("projects/<int:pk>/workflow/", views_board.workflow, name="workflow"),
    path("tasks/<int:pk>/board-move/", views_board.board_move, name="board_move"),
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
