"""URLs of the assessment app's figures and downloads, included by urls.py under the app's
namespace. Records are named in the query string (?org=CODE&period=2026, ?round=ID,
?scheme=ID), so every page answers the same 404 for what the user may not see."""

from django.urls import path

from . import export_views as views

urlpatterns: list = [
    path("figures/", views.figures, name="figures"),
    path("export/results.xlsx", views.export_results_xlsx, name="export_results_xlsx"),
    path("export/publicity.docx", views.export_publicity_docx, name="export_publicity_docx"),
    path("export/notice.docx", views.export_notice_docx, name="export_notice_docx"),
    path("export/scheme.xlsx", views.export_scheme_xlsx, name="export_scheme_xlsx"),
    path("export/scheme-import/", views.export_scheme_import, name="export_scheme_import"),
]
