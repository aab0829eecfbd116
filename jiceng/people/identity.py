"""Citizen ID numbers (GB 11643) and phones: validation, consistency, normalization."""

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _
from stdnum.cn import ric

from .models import Gender

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalize_id_number(raw: str) -> str:
    return ric.compact(unicodedata.normalize("NFKC", raw or "")).upper()


def id_number_problem(
    number: str,
    *,
    gender: str = "",
    birth_date: dt.date | None = None,
) -> str | None:
    """A Chinese message when `number` is not a valid ID or disagrees with gender/birth date."""
    try:
        ric.validate(number)
    except ric.InvalidLength:
        return _("A citizen ID number has 18 characters.")
    except ric.InvalidChecksum:
        return _("The check digit of this ID number is wrong; please check the number.")
    except ric.InvalidComponent:
        try:
            ric.get_birth_date(number)
        except ric.ValidationError:
            return _("The birth date in this ID number does not exist.")
        return _("The region code in this ID number is unknown (for that birth date).")
    except ric.ValidationError:
        return _("This is not a valid citizen ID number.")
    born = ric.get_birth_date(number)
    if born > dt.date.today():
        return _("The birth date in this ID number is in the future.")
    if birth_date and birth_date != born:
        return _("The birth date %(entered)s does not match the ID number (%(born)s).") % {
            "entered": birth_date,
            "born": born,
        }
    if gender and gender != gender_of(number):
        return _("The gender does not match the ID number.")
    return None


def gender_of(number: str) -> str:
    """The 17th digit: odd for men, even for women."""
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def birth_date_of(number: str) -> dt.date:
    return ric.get_birth_date(number)


def normalize_phone(raw: str) -> str:
    return re.sub(r"[\s\u3000()（）]", "", unicodedata.normalize("NFKC", raw or "")).removeprefix(
        "+86"
    )


def phone_problem(phone: str) -> str | None:
    if MOBILE.match(phone) or LANDLINE.match(phone):
        return None
    return _("Enter an 11-digit mobile number or a landline with its area code.")
