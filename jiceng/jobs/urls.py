from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/progress/", views.progress_bar, name="progress"),
    path("<int:pk>/progress.json", views.progress_json, name="progress_json"),
]
