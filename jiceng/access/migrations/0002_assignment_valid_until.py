"""One date-range convention: RoleAssignment.valid_to (last day in force, inclusive) becomes
valid_until (first day no longer in force, exclusive), like every other dated table.

The data step moves each existing end one day later (and back when reversed)."""

import datetime as dt

from django.db import migrations, models
from django.db.models import F, Q

ONE_DAY = dt.timedelta(days=1)


def shift_ends(apps, days: int) -> None:
    model = apps.get_model("access", "RoleAssignment")
    rows = list(model.objects.filter(valid_until__isnull=False).only("pk", "valid_until"))
    for row in rows:
        row.valid_until += days * ONE_DAY
    model.objects.bulk_update(rows, ["valid_until"], batch_size=1000)


def inclusive_to_exclusive(apps, schema_editor) -> None:
    shift_ends(apps, 1)


def exclusive_to_inclusive(apps, schema_editor) -> None:
    shift_ends(apps, -1)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="roleassignment", name="assignment_dates_in_order"),
        migrations.RenameField(
            model_name="roleassignment", old_name="valid_to", new_name="valid_until"
        ),
        migrations.AlterField(
            model_name="roleassignment",
            name="valid_until",
            field=models.DateField(blank=True, null=True, verbose_name="valid until"),
        ),
        migrations.RunPython(inclusive_to_exclusive, exclusive_to_inclusive),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="assignment_dates_in_order",
            ),
        ),
    ]
