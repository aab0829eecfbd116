from django.urls import path

from . import award_urls, evaluation_urls, export_urls, views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/<str:code>/schemes/", views.scheme_list, name="scheme_list"),
    path("orgs/<str:code>/schemes/new/", views.scheme_edit, name="scheme_new"),
    path("orgs/<str:code>/rounds/new/", views.round_open, name="round_open"),
    path("schemes/<int:scheme>/", views.scheme_detail, name="scheme"),
    path("rounds/<int:round>/", views.round_detail, name="round"),
    path("entries/<int:entry>/", views.entry_detail, name="entry"),
    *evaluation_urls.urlpatterns,
    *award_urls.urlpatterns,
    *export_urls.urlpatterns,
]
