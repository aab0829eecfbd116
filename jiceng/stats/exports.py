"""Every metric of an organization and its children as .xlsx: the CLI's
`stats coverage --format xlsx` and the dashboard's download, through the shared `ExportBook`
(so no organization's name becomes a formula)."""

from jiceng.sheets.layer import ExportBook

HEADERS = ["指标", "组织代码", "组织名称", "分子", "分母", "比率（%）"]


def rows(data):
    """(metric, organization, figure) rows: the org first, then its children."""
    for m in data["metrics"]:
        label = str(m["metric"].label)
        yield label, data["org"], m["figure"]
        for child, figure in m["children"]:
            yield label, child, figure


def write_xlsx(data, out) -> None:
    """`data`: `stats.selectors.report`; a title row, the headers, one row per figure."""
    book = ExportBook()
    sheet = book.sheet("指标")
    sheet.widths([28, 14, 36, 10, 10, 10])
    sheet.append(
        [
            f"{data['org'].name}（{data['org'].code}）截至 {data['on']}"
            + ("（已发布）" if data["published"] else "")
        ]
    )
    sheet.append([sheet.header(h) for h in HEADERS])
    for label, org, f in rows(data):
        sheet.append([label, org.code, org.name, f.numerator, f.denominator, f.rate])
    book.save(out)
