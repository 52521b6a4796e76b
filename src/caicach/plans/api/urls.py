"""``/api/v1/plans/``: the plans and their targets (read-only)."""

from django.urls import path

from caicach.plans.api import tasks, views

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="api-plans"),
    path("plans/<int:pk>/targets/", views.PlanTargetsView.as_view(), name="api-plan-targets"),
    path("plans/tasks/", tasks.AgencyTasksView.as_view(), name="api-plan-tasks"),  # plans.work
]
