"""Working days (工作日) in mainland China: weekends, public holidays and the swapped working
weekends (调休) as published by the State Council, from `chinese_calendar`. Its data covers the
years it was released for; past them a day counts as a working day when it is Monday–Friday."""

import datetime as dt

import chinese_calendar


def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no State Council notice for yet
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The first day after `days` working days counted from `start` (inclusive when `start` is
    a working day): the end of a half-open period of that many working days."""
    day, counted = start, 0
    while counted < days:
        if is_working_day(day):
            counted += 1
        day += dt.timedelta(days=1)
    return day
