"""URLs of the assessment app's export pages, included by urls.py under the app's namespace."""

urlpatterns: list = []
