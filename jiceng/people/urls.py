from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("people/", views.member_list, name="member_list"),
    path("people/<int:pk>/", views.member_detail, name="member_detail"),
    path("people/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("people/<int:pk>/step/", views.member_step, name="member_step"),
    path("people/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("people/<int:pk>/id-number/", views.member_id_number, name="member_id_number"),
    path("people/<int:pk>/details/", views.member_details, name="member_details"),
    path("people/<int:pk>/discipline/", views.member_discipline, name="member_discipline"),
    path("people/<int:pk>/photo/", views.member_photo, name="member_photo"),
    path("people/<int:pk>/photo/upload/", views.member_photo_upload, name="member_photo_upload"),
    path("people/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("people/<int:pk>/floating/", views.member_floating, name="member_floating"),
    path("people/transfers/<int:transfer>/", views.transfer_detail, name="transfer_detail"),
    path("people/floating/<int:record>/", views.floating_record, name="floating_record"),
    path("orgs/<str:code>/pipeline/", views.pipeline_board, name="pipeline_board"),
    path("orgs/<str:code>/transfers/", views.org_transfers, name="org_transfers"),
    path("orgs/<str:code>/floating/", views.org_floating, name="org_floating"),
    path("orgs/<str:code>/plans/", views.org_plans, name="org_plans"),
    path("orgs/<str:code>/union-members/", views.union_members, name="union_members"),
    path("orgs/<str:code>/union-members/add/", views.union_member_add, name="union_member_add"),
    path(
        "orgs/<str:code>/union-members/<int:pk>/",
        views.union_member_edit,
        name="union_member_edit",
    ),
    path("orgs/<str:code>/delegates/", views.union_delegates, name="union_delegates"),
    path("me/", views.my_record, name="my_record"),
]
