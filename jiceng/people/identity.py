"""Citizen ID numbers (GB 11643) and phones: validation, consistency, normalization."""

import datetime as dt
import functools
import re
import unicodedata

from django.utils.translation import gettext as _
from stdnum.cn import ric

from .models import Gender

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
COMPACT = re.compile(r"^\d{17}[\dX]$")  # the usual shape: checked without stdnum's slow cleaning


def normalize_id_number(raw: str) -> str:
    if raw and COMPACT.match(raw):
        return raw
    return ric.compact(unicodedata.normalize("NFKC", raw or "")).upper()


@functools.lru_cache(maxsize=8192)
def _region_known(region: str, year: int) -> bool:
    """Whether the region code existed in `year` (stdnum's table of county codes)."""
    try:
        ric.get_birth_place(f"{region}{year:04d}01010000")
    except ric.ValidationError:
        return False
    return True


def _compact_problem(number: str) -> tuple[str | None, dt.date | None]:
    """ric.validate for a number of the usual shape, in the same order: check digit, birth
    date, region; (problem, birth date)."""
    if ric.calc_check_digit(number) != number[-1]:
        return _("The check digit of this ID number is wrong; please check the number."), None
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("The birth date in this ID number does not exist."), None
    if not _region_known(number[:6], born.year):
        return _("The region code in this ID number is unknown (for that birth date)."), None
    return None, born


def id_number_problem(
    number: str,
    *,
    gender: str = "",
    birth_date: dt.date | None = None,
) -> str | None:
    """A Chinese message when `number` is not a valid ID or disagrees with gender/birth date."""
    if COMPACT.match(number):
        problem, born = _compact_problem(number)
        if problem:
            return problem
        return _agreement_problem(number, born, gender, birth_date)
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
    return _agreement_problem(number, ric.get_birth_date(number), gender, birth_date)


def _agreement_problem(number, born, gender, birth_date) -> str | None:
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
    if COMPACT.match(number):
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return ric.get_birth_date(number)


def normalize_phone(raw: str) -> str:
    return re.sub(r"[\s\u3000()（）]", "", unicodedata.normalize("NFKC", raw or "")).removeprefix(
        "+86"
    )


def phone_problem(phone: str) -> str | None:
    if MOBILE.match(phone) or LANDLINE.match(phone):
        return None
    return _("Enter an 11-digit mobile number or a landline with its area code.")
