"""Job kinds of the ground floor: importing a workbook (any kind in jiceng.sheets) and running
a periodic task for a day (a sweep, see jobs/sweeps.py)."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng import sheets

from .registry import periodic_tasks, register
from .runner import JobError

ERRORS_FILE = "errors.xlsx"


@register("import", label=gettext_lazy("Import a workbook"))
def import_workbook(job, report):
    """params: sheet (the kind of sheet), check (only check), limits_org (pk, optional),
    org (pk, optional: the import is for that organization, see `sheets.import_sheet`).

    The result is `ImportResult.to_dict()` plus `workbook`: whether an error workbook (the
    file with the bad cells marked) was written to the job's output.
    """
    try:
        spec = sheets.get_spec(job.params["sheet"])
    except KeyError:
        raise JobError(_("No such kind of sheet.")) from None
    if job.input_file is None or not job.input_file.is_file():
        raise JobError(_("The uploaded file is no longer available; upload it again."))
    org = None
    if job.params.get("limits_org"):
        from jiceng.orgs.models import Organization

        org = Organization.objects.filter(pk=job.params["limits_org"]).first()
    limits = spec.limits(org)
    target = None
    if job.params.get("org"):
        from jiceng.orgs.models import Organization

        target = Organization.objects.filter(pk=job.params["org"]).first()
        if target is None:
            raise JobError(_("The organization this import is for no longer exists."))
    labels = {"check": _("Checking"), "apply": _("Importing")}

    def progress(done, total, stage):
        report(done, total, f"{labels.get(stage, stage)}…")

    result = sheets.import_sheet(
        spec,
        job.input_file,
        job.created_by,
        limits=limits,
        progress=progress,
        check_only=bool(job.params.get("check")),
        org=target,
    )
    digest = result.to_dict()
    digest["workbook"] = False
    if not result.ok and not result.file_error:
        target = job.folder / ERRORS_FILE
        sheets.write_error_workbook(spec, job.input_file, result, target, limits=limits)
        target.chmod(0o600)
        job.output_path = f"{job.pk}/{ERRORS_FILE}"
        digest["workbook"] = True
    return digest


@register("sweep", label=gettext_lazy("Periodic task"))
def sweep(job, report):
    """params: task (a registered periodic task), day (ISO date). Runs as the job's creator."""
    try:
        task = periodic_tasks()[job.params["task"]]
    except KeyError:
        raise JobError(_("No such periodic task.")) from None
    return task.run(job.created_by, dt.date.fromisoformat(job.params["day"]), report)
