from django.urls import path

from . import views

app_name = "life"
urlpatterns = [
    path("", views.my_meetings, name="my_meetings"),
    path("tasks/close/", views.close_my_task, name="close_my_task"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:sign_in_token>/", views.sign_in_token, name="sign_in_token"),
    path("notifications/", views.notifications, name="notifications"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance.xlsx", views.compliance_xlsx, name="compliance_xlsx"),
    path("orgs/<str:code>/", views.calendar, name="calendar"),
    path("orgs/<str:code>/schedule/", views.schedule, name="schedule"),
    path("orgs/<str:code>/plan/", views.plan, name="plan"),
    path("orgs/<str:code>/plan/document/", views.plan_document, name="plan_document"),
    path("orgs/<str:code>/minutes-book/", views.minutes_book, name="minutes_book"),
    path("meetings/<int:meeting>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:meeting>/edit/", views.edit, name="edit"),
    path("meetings/<int:meeting>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:meeting>/held/", views.mark_held, name="mark_held"),
    path("meetings/<int:meeting>/sign-in-for/", views.sign_in_for, name="sign_in_for"),
    path("meetings/<int:meeting>/leave/", views.leave, name="leave"),
    path("meetings/<int:meeting>/leave/decide/", views.decide_leave, name="decide_leave"),
    path("meetings/<int:meeting>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:meeting>/minutes/lock/", views.lock_minutes, name="lock_minutes"),
    path("meetings/<int:meeting>/actions/", views.add_action, name="add_action"),
    path("meetings/<int:meeting>/actions/close/", views.close_action, name="close_action"),
    path("meetings/<int:meeting>/attachments/", views.add_attachment, name="add_attachment"),
    path("meetings/<int:meeting>/attachment/", views.attachment, name="attachment"),
    path("meetings/<int:meeting>/corrections/", views.correction, name="correction"),
]
