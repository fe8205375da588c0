from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/menu/", views.notification_menu, name="menu"),
    path("notifications/read-all/", views.notification_read_all, name="read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="open"),
    path("settings/notifications/", views.notification_settings, name="settings"),
    path("projects/<int:pk>/alerts/", views.project_alerts, name="project_alerts"),
]
