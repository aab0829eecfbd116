"""The meeting figures of a subtree as data (`payload`, also the CLI's JSON) and as .xlsx
(`write_xlsx`: the CLI's `life compliance --format xlsx` and the compliance page's download)."""

from jiceng.life.models import MeetingKind
from jiceng.sheets.layer import ExportBook

LABELS = dict(MeetingKind.choices)
KINDS = [k for k, _label in MeetingKind.choices]


def _totals(t) -> dict:
    return {
        "organizations": t["organizations"],
        "compliant": t["compliant"],
        "required": t["required"],
        "met_windows": t["met_windows"],
        "missed_windows": t["missed_windows"],
        "meetings_held": t["meetings_held"],
        "held_by_kind": {k: t["held_by_kind"][k] for k in KINDS if t["held_by_kind"].get(k)},
        "compliance": t["compliance"].as_dict(),
        "attendance": t["attendance"].as_dict(),
    }


def payload(data) -> dict:
    """The figures as JSON-ready data (also what the xlsx is written from)."""
    return {
        "org": data["org"].code,
        "name": data["org"].name,
        "period": data["period"],
        "start": data["start"],
        "end": data["end"],
        "on": data["on"],
        "kind_labels": {k: str(LABELS[k]) for k in KINDS},
        "totals": _totals(data["totals"]),
        "children": [
            {"code": c["org"].code, "name": c["org"].name, **_totals(c["totals"])}
            for c in data["children"]
        ],
        "rows": [
            {
                "code": r["org"].code,
                "name": r["org"].name,
                "required": r["required"],
                "met_windows": r["met_windows"],
                "missed_windows": r["missed_windows"],
                "meetings_held": r["meetings_held"],
                "held_by_kind": r["held_by_kind"],
                "compliance": r["compliance"].as_dict(),
                "attendance": r["attendance"].as_dict(),
                "kinds": [
                    {
                        "kind": k["kind"],
                        "every": k["every"],
                        "required": k["required"],
                        "held": k["held"],
                        "met_windows": k["met_windows"],
                        "missed_windows": k["missed_windows"],
                        "status": k["status"],
                    }
                    for k in r["kinds"]
                ],
            }
            for r in data["rows"]
        ],
    }


def _rate(f: dict):
    return f["rate"]


def write_xlsx(data: dict, out) -> None:
    """Sheet 按种类: the subtree's meetings held by kind; sheet 达标情况: the subtree, each
    direct subordinate and each organization with a requirement, one row each. Written
    through the shared `ExportBook`, so no organization's name becomes a formula."""
    book = ExportBook()
    title = f"{data['name']}（{data['org']}）{data['start']} 至 {data['end']}"
    by_kind = book.sheet("按种类")
    by_kind.append([title])
    by_kind.append(["会议种类", "已召开（次）"])
    for kind, n in data["totals"]["held_by_kind"].items():
        by_kind.append([data["kind_labels"][kind], n])
    by_kind.append(["合计", data["totals"]["meetings_held"]])
    sheet = book.sheet("达标情况")
    sheet.append([title])
    sheet.append(
        [
            "范围",
            "组织代码",
            "组织名称",
            "应开窗口",
            "已达标窗口",
            "未开窗口",
            "达标率（%）",
            "实到人次",
            "应到人次（除请假）",
            "出勤率（%）",
            "已召开会议",
        ]
    )

    def line(scope, code, name, r):
        return [
            scope,
            code,
            name,
            r["required"],
            r["met_windows"],
            r["missed_windows"],
            _rate(r["compliance"]),
            r["attendance"]["numerator"],
            r["attendance"]["denominator"],
            _rate(r["attendance"]),
            r["meetings_held"],
        ]

    sheet.append(line("本级及下级合计", data["org"], data["name"], data["totals"]))
    for c in data["children"]:
        sheet.append(line("直属下级（含其下级）", c["code"], c["name"], c))
    for r in data["rows"]:
        sheet.append(line("组织本身", r["code"], r["name"], r))
    book.save(out)
