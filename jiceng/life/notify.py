"""Telling people: an in-app `Notification` for users, and a message through a sender.

`send(user_or_person, text, url="")` writes the notification (when the person has a login)
and, once the transaction commits, hands the text to the sender configured by the setting or
environment variable `JICENG_NOTIFY_BACKEND` (a dotted path to a class; default
`jiceng.life.notify.ConsoleSender`). A sender is any class with `send(address, text)` and a
`channel` attribute saying which address it wants:

- "sms": the person's phone number (decrypted only to be handed to the sender);
- "email": the user's e-mail address (`EmailSender`, through Django's mail settings);
- "console" (the default): a printable label (name and masked phone), never personal data.

People with no address for the channel are skipped. A sender that fails is logged; it never
undoes the write that caused the message.
"""

import logging
import os
import sys

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Notification

logger = logging.getLogger("jiceng.notify")
DEFAULT_BACKEND = "jiceng.life.notify.ConsoleSender"
TEXT_MAX, URL_MAX = 300, 200


class ConsoleSender:
    """Development default: each message is printed to stderr and logged."""

    channel = "console"

    def send(self, address: str, text: str) -> None:
        line = f"[通知] {address}: {text}"
        print(line, file=sys.stderr)
        logger.info(line)


class EmailSender:
    """E-mail through Django's mail settings (`JICENG_EMAIL_*`, see the README): each message
    goes to the user's address; people without one are skipped."""

    channel = "email"

    def send(self, address: str, text: str) -> None:
        from django.core.mail import send_mail

        send_mail(str(_("Jiceng notice")), text, None, [address])


def backend_path() -> str:
    return (
        getattr(settings, "JICENG_NOTIFY_BACKEND", "")
        or os.environ.get("JICENG_NOTIFY_BACKEND", "")
        or DEFAULT_BACKEND
    )


def sender():
    return import_string(backend_path())()


def _user_and_person(recipient):
    from jiceng.access.models import User

    if isinstance(recipient, User):
        return recipient, recipient.person
    try:
        return recipient.user, recipient
    except User.DoesNotExist:
        return None, recipient


def _address(channel: str, user, person) -> str:
    if channel == "sms":
        if person is None or not person.phone_encrypted:
            return ""
        from jiceng.people import crypto
        from jiceng.people.services import PHONE_CONTEXT

        return crypto.decrypt(person.phone_encrypted, PHONE_CONTEXT)
    if channel == "email":
        return (user.email if user else "") or ""
    name = person.name if person else (user.get_full_name() or user.username)
    phone = person.phone_masked if person else ""
    return f"{name}（{phone}）" if phone else name


def _deliver(backend, messages: list[tuple[str, str]]) -> None:
    for address, text in messages:
        try:
            backend.send(address, text)
        except Exception:  # a sender's failure must not break the request that caused it
            logger.exception("notification sender %s failed", type(backend).__name__)


def send_many(recipients, text: str, url: str = "") -> int:
    """Notify every user or person in `recipients`; returns the notifications written."""
    text, url = str(text)[:TEXT_MAX], str(url)[:URL_MAX]
    backend = sender()
    channel = getattr(backend, "channel", "console")
    rows, messages, seen = [], [], set()
    for recipient in recipients:
        user, person = _user_and_person(recipient)
        key = (getattr(user, "pk", None), getattr(person, "pk", None))
        if key in seen:
            continue
        seen.add(key)
        if user is not None:
            rows.append(Notification(user=user, text=text, url=url))
        if address := _address(channel, user, person):
            messages.append((address, text))
    Notification.objects.bulk_create(rows, batch_size=1000)
    if messages:
        transaction.on_commit(lambda: _deliver(backend, messages))
    return len(rows)


def send(user_or_person, text: str, url: str = "") -> Notification | None:
    """Notify one user or person: the notification row (if they have a login) and a message."""
    send_many([user_or_person], text, url)
    user, _person = _user_and_person(user_or_person)
    if user is None:
        return None
    return Notification.objects.filter(user=user).order_by("-id").first()
