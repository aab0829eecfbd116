from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<str:code>/", views.org_detail, name="org_detail"),
    path("orgs/<str:code>/children/", views.org_children, name="org_children"),
    path("orgs/<str:code>/policy/", views.org_policy, name="org_policy"),
    path("orgs/<str:code>/history/", views.org_history, name="org_history"),
    path("orgs/<str:code>/new/", views.org_set_up, name="org_set_up"),
    path("orgs/<str:code>/rename/", views.org_rename, name="org_rename"),
    path("orgs/<str:code>/move/", views.org_move, name="org_move"),
    path("orgs/<str:code>/merge/", views.org_merge, name="org_merge"),
    path("orgs/<str:code>/split/", views.org_split, name="org_split"),
    path("orgs/<str:code>/dissolve/", views.org_dissolve, name="org_dissolve"),
    path("orgs/<str:code>/units/", views.org_host_units, name="org_host_units"),
    path("orgs/<str:code>/flags/", views.org_flags, name="org_flags"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_register, name="unit_register"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
]
