from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "jiceng.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
