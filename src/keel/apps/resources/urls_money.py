"""Pages of the money area (included by urls.py under the resources namespace)."""

from django.urls import path

from . import views_money as views

urlpatterns = [
    path("projects/<int:pk>/costs/", views.costs, name="costs"),
    path("projects/<int:pk>/costs.xlsx", views.costs_xlsx, name="costs_xlsx"),
    path("projects/<int:pk>/budget/", views.budget, name="budget"),
    path("projects/<int:pk>/budget/lines/", views.budget_line_new, name="budget_line_new"),
    path("projects/<int:pk>/budget/costs/", views.planned_cost_new, name="planned_cost_new"),
    path("projects/<int:pk>/budget/alerts/", views.budget_alerts, name="budget_alerts"),
    path("budget-lines/<int:pk>/", views.budget_line_edit, name="budget_line_edit"),
    path("budget-lines/<int:pk>/delete/", views.budget_line_delete, name="budget_line_delete"),
    path("planned-costs/<int:pk>/", views.planned_cost_edit, name="planned_cost_edit"),
    path("planned-costs/<int:pk>/delete/", views.planned_cost_delete, name="planned_cost_delete"),
    path("projects/<int:pk>/expenses/", views.expenses, name="expenses"),
    path("expenses/<int:pk>/", views.expense, name="expense"),
    path("expenses/<int:pk>/receipt/", views.expense_receipt, name="expense_receipt"),
    path("expenses/<int:pk>/<str:action>/", views.expense_action, name="expense_action"),
]
