from django.urls import include, path

from jiceng.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("todo/", include("jiceng.todo.urls")),
    path("stats/", include("jiceng.stats.urls")),
    path("data/", include("jiceng.sheets.urls")),
    path("jobs/", include("jiceng.jobs.urls")),
    path("assessment/", include("jiceng.assessment.urls")),
    path("congress/", include("jiceng.congress.urls")),
    path("life/", include("jiceng.life.urls")),
    path("elections/", include("jiceng.elections.urls")),
    path("", include("jiceng.people.urls")),  # /people/, /me/, /orgs/<code>/pipeline/ …
    path("", include("jiceng.orgs.urls")),  # /orgs/…, /units/…
    path("", include("jiceng.ui.urls")),
]

handler400 = "jiceng.ui.views.bad_request"
handler403 = "jiceng.ui.views.permission_denied"
handler404 = "jiceng.ui.views.page_not_found"
handler500 = "jiceng.ui.views.server_error"
