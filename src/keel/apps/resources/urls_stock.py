"""Pages of the stock area (included by urls.py under the resources namespace)."""

from django.urls import path

from . import views_stock as views

urlpatterns = [
    path("workspaces/<int:pk>/catalogue/", views.catalogue, name="catalogue"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("equipment/<int:pk>/edit/", views.equipment_edit, name="equipment_edit"),
    path("projects/<int:pk>/materials/", views.materials, name="materials"),
    path("projects/<int:pk>/materials/move/", views.materials_move, name="materials_move"),
    path("projects/<int:pk>/materials/<int:item_pk>/", views.stock_item, name="stock_item"),
    path("projects/<int:pk>/purchases/", views.purchases, name="purchases"),
    path("purchases/<int:pk>/", views.purchase, name="purchase"),
    path("purchases/<int:pk>/<str:action>/", views.purchase_action, name="purchase_action"),
    path("projects/<int:pk>/bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
]
