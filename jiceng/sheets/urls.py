"""Import and export of sheets (/data/): one set of pages per kind in jiceng.sheets.layer.specs()."""

from django.urls import path

from . import views

app_name = "data"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/", views.kind_page, name="kind"),
    path("<str:kind>/template.xlsx", views.template, name="template"),
    path("<str:kind>/export.xlsx", views.export, name="export"),
    path("<str:kind>/import/", views.upload, name="import"),
    path("<str:kind>/result/<str:token>/", views.result, name="result"),
    path("<str:kind>/result/<str:token>/errors.xlsx", views.errors, name="errors"),
]
