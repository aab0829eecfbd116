from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "jiceng.congress"
    label = "congress"
    verbose_name = _("Workers' congress and proposals")
