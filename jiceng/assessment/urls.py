from django.urls import path  # noqa: F401 - the rounds' pages are added here

from . import award_urls, evaluation_urls, export_urls

app_name = "assessment"
urlpatterns = [
    *evaluation_urls.urlpatterns,
    *award_urls.urlpatterns,
    *export_urls.urlpatterns,
]
