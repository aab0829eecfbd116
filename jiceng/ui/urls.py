from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("switch/", views.switch_org, name="switch"),
    path("healthz", views.healthz, name="healthz"),
]
