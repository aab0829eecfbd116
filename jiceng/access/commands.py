"""Helpers shared by the management commands."""

import json
import sys

from django.core.management.base import CommandError

from jiceng.access.models import User
from jiceng.access.services import system_actor


def acting_user(username: str | None):
    """The user a command acts as: a named one, or the built-in system actor."""
    if not username:
        return system_actor()
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise CommandError(f"没有这个用户：{username}") from None


def add_as_option(parser):
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="act as this user (default: the built-in system actor)",
    )


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
