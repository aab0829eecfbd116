from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("coverage.xlsx", views.coverage_xlsx, name="coverage_xlsx"),
]
