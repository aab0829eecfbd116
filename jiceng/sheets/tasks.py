"""The "import" job kind: importing a workbook (any kind in `jiceng.sheets.layer.specs()`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.jobs.registry import register
from jiceng.jobs.runner import JobError
from jiceng.orgs.models import Organization

from . import layer as sheets

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
        org = Organization.objects.filter(pk=job.params["limits_org"]).first()
    limits = spec.limits(org)
    target = None
    if job.params.get("org"):
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
