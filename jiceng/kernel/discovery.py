"""Finding what each installed Jiceng app contributes (duties, activity, sheets, jobs)."""

import importlib
from types import ModuleType

from django.apps import apps


def app_modules(name: str, *, exclude: tuple[str, ...] = ()) -> list[tuple[str, ModuleType]]:
    """(app label, module) for every installed jiceng app that has a module called `name`."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jiceng.") or config.label in exclude:
            continue
        try:
            module = importlib.import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise  # the module exists but imports something missing: a real error
            continue
        found.append((config.label, module))
    return found
