from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("language/", views.language_view, name="language"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/sessions/", views.sessions_view, name="sessions"),
    path("settings/sessions/<int:pk>/revoke/", views.session_revoke, name="session_revoke"),
    path("settings/tokens/", views.tokens_view, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("workspaces/", views.workspaces_view, name="workspaces"),
    path("workspaces/<int:pk>/", views.workspace_view, name="workspace"),
    path("workspaces/<int:pk>/rename/", views.workspace_rename, name="workspace_rename"),
    path("workspaces/<int:pk>/members/add/", views.workspace_member_add, name="member_add"),
    path(
        "workspaces/<int:pk>/members/<int:member_pk>/role/",
        views.workspace_member_role,
        name="member_role",
    ),
    path(
        "workspaces/<int:pk>/members/<int:member_pk>/remove/",
        views.workspace_member_remove,
        name="member_remove",
    ),
]
