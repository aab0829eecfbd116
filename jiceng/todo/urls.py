from django.urls import path

from . import views

app_name = "todo"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("export.xlsx", views.export_xlsx, name="export"),
]
