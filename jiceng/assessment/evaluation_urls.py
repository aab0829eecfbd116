"""URLs of the assessment app's evaluation pages, included by urls.py under the app's namespace."""

from django.urls import path

from . import evaluation_views as views

urlpatterns: list = [
    path("evaluations/<str:code>/", views.evaluation_org, name="evaluation_org"),
    path("evaluations/<str:code>/stage/", views.evaluation_stage, name="evaluation_stage"),
    path("evaluations/<str:code>/grade/", views.evaluation_grade, name="evaluation_grade"),
    path("evaluations/<str:code>/opinion/", views.evaluation_opinion, name="evaluation_opinion"),
    path("evaluations/<str:code>/handling/", views.evaluation_handling, name="evaluation_handling"),
    path("evaluations/<str:code>/paper/", views.evaluation_paper, name="evaluation_paper"),
    path("evaluations/<str:code>/ballot/", views.evaluation_ballot, name="evaluation_ballot"),
]
