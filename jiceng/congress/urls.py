from django.urls import path

from . import views

app_name = "congress"
urlpatterns = [
    path("orgs/<str:code>/", views.org_sessions, name="org_sessions"),
    path("orgs/<str:code>/suggestions/", views.suggestion_list, name="suggestion_list"),
    path("sessions/<int:session>/", views.session_detail, name="session_detail"),
    path("sessions/<int:session>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:session>/proposals/", views.proposal_list, name="proposal_list"),
    path(
        "sessions/<int:session>/proposals.xlsx", views.proposal_register, name="proposal_register"
    ),
    path("proposals/<int:proposal>/", views.proposal_detail, name="proposal_detail"),
    path("suggestions/<int:suggestion>/", views.suggestion_detail, name="suggestion_detail"),
    path("mine/", views.my_proposals, name="my_proposals"),
]
