from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("people/", views.member_list, name="member_list"),
    path("people/<int:pk>/", views.member_detail, name="member_detail"),
    path("people/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("people/<int:pk>/step/", views.member_step, name="member_step"),
    path("orgs/<str:code>/pipeline/", views.pipeline_board, name="pipeline_board"),
    path("orgs/<str:code>/union-members/", views.union_members, name="union_members"),
    path("me/", views.my_record, name="my_record"),
]
