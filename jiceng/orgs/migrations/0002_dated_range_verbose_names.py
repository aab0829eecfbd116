"""The history tables derive from the shared `DatedRange` and take its verbose names.

Verbose names only: no schema change."""

from django.db import migrations, models


def dated_fields(model_name: str) -> list:
    return [
        migrations.AlterField(
            model_name=model_name,
            name="valid_from",
            field=models.DateField(verbose_name="valid from"),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="valid_until",
            field=models.DateField(blank=True, null=True, verbose_name="valid until"),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [
        *dated_fields("orgstate"),
        *dated_fields("unitstate"),
        *dated_fields("hostlink"),
    ]
