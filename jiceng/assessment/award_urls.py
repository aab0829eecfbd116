"""URLs of the assessment app's award and accountability-review pages, included by urls.py
under the app's namespace."""

from django.urls import path

from . import award_views as views

urlpatterns: list = [
    path("awards/", views.award_list, name="award_list"),
    path("awards/<int:award>/", views.award_round, name="award_round"),
    path(
        "awards/nominations/<int:nomination>/form.docx",
        views.award_nomination_form,
        name="award_nomination_form",
    ),
    path("awards/titles/<str:code>/", views.award_org_titles, name="award_org_titles"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:review>/", views.review_detail, name="review_detail"),
    path("reviews/reports/<int:secretary_report>/", views.review_report, name="review_report"),
]
