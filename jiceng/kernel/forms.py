"""The form kit every app's pages use.

Forms only parse what the user typed; the rules live in the services. `submit` is the one
place where a page binds a form, calls a service, puts the service's refusals back on the form,
says what happened and redirects — the pattern every write page follows.
"""

import re
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget; `is-invalid` on fields with errors."""

    template_name = "ui/_form_fields.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._mark_invalid()

    def _mark_invalid(self):
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class YesNo(forms.TypedChoiceField):
    """A filter that may be left open: Any, Yes or No (None, True, False)."""

    def __init__(self, label):
        super().__init__(
            label=label,
            required=False,
            choices=[("", _("Any")), ("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda v: v == "yes",
            empty_value=None,
        )


def date_field(label=None, required=True):
    return forms.DateField(
        label=label or _("Effective date"),
        required=required,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the change takes effect; history before it is kept."),
    )


def add_service_errors(form, exc: ValidationError, rename: dict | None = None) -> None:
    """Put a service's ValidationError on the form: per field where the form has that field."""
    rename = rename or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        name = rename.get(key, key)
        form.add_error(name if name in form.fields else None, errors)


def split_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,，;；、]+", text or "") if c]


def form_data(request):
    """What to bind a form to: the POST on a submission, nothing on a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def submit(
    request,
    form,
    perform: Callable,
    *,
    done=None,
    to=None,
    rename: dict | None = None,
):
    """Bind → service → refusals on the form → message → redirect.

    On a valid POST `perform(cleaned_data)` calls the service. Its ValidationError goes on the
    form and `submit` returns None, so the caller renders the page with the bound form (as it
    does for a GET or an invalid form). On success the message `done` is shown (a callable gets
    the service's result) and the redirect to `to` is returned (a URL name, a URL, a model with
    `get_absolute_url`, or a callable of the result giving one of those).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = perform(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc, rename)
        return None
    if done:
        messages.success(request, done(result) if callable(done) else done)
    target = to(result) if callable(to) else to
    return redirect(target if target is not None else request.get_full_path())
