"""URLs of the assessment app's evaluation pages, included by urls.py under the app's namespace."""

urlpatterns: list = []
