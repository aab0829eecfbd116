from django.urls import path

from . import views

app_name = "elections"
urlpatterns = [
    path("orgs/<str:code>/", views.org_elections, name="org"),
    path("orgs/<str:code>/term/start/", views.term_start, name="term_start"),
    path("orgs/<str:code>/term/change/", views.term_change, name="term_change"),
    path("orgs/<str:code>/request/", views.case_file, name="case_file"),
    path("orgs/<str:code>/polls/new/", views.poll_create, name="poll_create"),
    path("orgs/<str:code>/officers/add/", views.officer_add, name="officer_add"),
    path("orgs/<str:code>/officers/end/", views.officer_end, name="officer_end"),
    path("cases/<int:case>/", views.case_detail, name="case"),
    path("cases/<int:case>/step/", views.case_step, name="case_step"),
    path("cases/<int:case>/slate/", views.case_slate, name="case_slate"),
    path(
        "cases/<int:case>/request.docx",
        views.case_document,
        {"kind": "request"},
        name="case_request_docx",
    ),
    path(
        "cases/<int:case>/report.docx",
        views.case_document,
        {"kind": "report"},
        name="case_report_docx",
    ),
    path(
        "cases/<int:case>/notice.docx",
        views.case_document,
        {"kind": "notice"},
        name="case_notice_docx",
    ),
    path("polls/<int:poll>/", views.poll_detail, name="poll"),
    path("polls/<int:poll>/ballots.pdf", views.poll_ballots, name="poll_ballots"),
    path("polls/<int:poll>/tally/", views.poll_tally, name="poll_tally"),
    path("polls/<int:poll>/attendance/", views.poll_attendance, name="poll_attendance"),
    path("polls/<int:poll>/correct/", views.poll_correct, name="poll_correct"),
    path("polls/<int:poll>/close/", views.poll_close, name="poll_close"),
    path("polls/<int:poll>/next/", views.poll_next, name="poll_next"),
    path("polls/<int:poll>/ballot/", views.poll_ballot, name="poll_ballot"),
    path("polls/<int:poll>/ballot/correct/", views.poll_ballot_correct, name="poll_ballot_correct"),
    path("polls/<int:poll>/roll/", views.poll_roll, name="poll_roll"),
    path("polls/<int:poll>/vote/", views.poll_vote, name="poll_vote"),
]
