from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "jiceng.policy"
    label = "policy"
    verbose_name = _("Policy")

    def ready(self):
        from . import signals  # noqa: F401
