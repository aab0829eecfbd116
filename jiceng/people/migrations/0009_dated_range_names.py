"""One date-range convention: delegate seats and floating records use the names of every other
dated table, [valid_from, valid_until). Both ends were already exclusive, so only names change.
The index and the unique constraint naming the old columns are rebuilt under the new names;
membership history takes the shared verbose names of `DatedRange` (no schema change)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0008_union_memberships_per_person")]

    operations = [
        migrations.RemoveConstraint(model_name="delegate", name="delegate_once_per_term"),
        migrations.RenameField(model_name="delegate", old_name="term_from", new_name="valid_from"),
        migrations.RenameField(
            model_name="delegate", old_name="term_until", new_name="valid_until"
        ),
        migrations.AddConstraint(
            model_name="delegate",
            constraint=models.UniqueConstraint(
                fields=("person", "org", "valid_from"), name="delegate_once_per_term"
            ),
        ),
        migrations.RemoveIndex(model_name="floatingrecord", name="floating_membership_idx"),
        migrations.RenameField(
            model_name="floatingrecord", old_name="since", new_name="valid_from"
        ),
        migrations.RenameField(
            model_name="floatingrecord", old_name="until", new_name="valid_until"
        ),
        migrations.AddIndex(
            model_name="floatingrecord",
            index=models.Index(fields=["membership", "valid_from"], name="floating_membership_idx"),
        ),
        migrations.AlterField(
            model_name="membershipstate",
            name="valid_from",
            field=models.DateField(verbose_name="valid from"),
        ),
        migrations.AlterField(
            model_name="membershipstate",
            name="valid_until",
            field=models.DateField(blank=True, null=True, verbose_name="valid until"),
        ),
    ]
