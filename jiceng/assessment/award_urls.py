"""URLs of the assessment app's award pages, included by urls.py under the app's namespace."""

urlpatterns: list = []
