from django.contrib.auth import views as auth_views
from django.urls import path

from . import shell

app_name = "ui"
urlpatterns = [
    path("", shell.home, name="home"),
    path("accounts/login/", shell.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("switch/", shell.switch_org, name="switch"),
    path("healthz", shell.healthz, name="healthz"),
]
