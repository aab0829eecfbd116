"""The to-do centre as .xlsx, through the shared spreadsheet layer (`write_workbook`: fixed
Chinese headers, formula-looking cells neutralized). Not a registered sheet kind: it is a
report, never imported back."""

from django.utils import timezone

from jiceng.kernel.duties import URGENCY_LABELS, kind_labels
from jiceng.sheets.layer import Column, SheetSpec, write_workbook

from . import selectors


class TodoSheet(SheetSpec):
    kind = "todo"
    title = "待办事项"
    columns = (
        Column("紧急程度", "urgency", width=10),
        Column("期限", "due", width=12),
        Column("类别", "kind", width=24),
        Column("事项", "title", width=60),
        Column("组织", "org", width=30),
        Column("组织代码", "code", width=16, as_text=True),
    )


SHEET = TodoSheet()


def write(user, out, **filters) -> int:
    """Every listed duty under `filters` (as `selectors.all_items`), most urgent first."""
    labels = kind_labels()
    items = selectors.all_items(user, today=timezone.localdate(), **filters)
    rows = (
        {
            "urgency": str(URGENCY_LABELS[i.urgency]),
            "due": i.duty.due,
            "kind": str(labels.get(i.duty.kind, i.duty.kind)),
            "title": i.duty.title,
            "org": i.duty.org.name,
            "code": i.duty.org.code,
        }
        for i in items
    )
    return write_workbook(SHEET, rows, out)
