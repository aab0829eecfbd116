"""Importing a Party member roster: ours against the bare .xlsx parse and against a peer.

Ours:  jiceng.sheets.layer.import_sheet(members) on an N-row roster of new members: the file read
       by jiceng.sheets.reader (expat, streamed), every row parsed and checked (ID number checksum, birth date and region, agreement with gender
       and birth date, organization in scope, dates in order, minimum age by policy), then
       written in one transaction — Person, PartyMembership and MembershipState rows and two
       hash-chained audit events per member — as `jiceng import members FILE` does (there
       inside a job that adds only its bookkeeping).
Floor: openpyxl's read-only parse of the same file (load_workbook(read_only=True) and every
       row's values): the least any .xlsx import has to do.
Peer:  django-import-export 4 (a ModelResource, one transaction) importing the same kind of
       rows into the same models with the same normalization (ID number validated, hashed,
       encrypted and masked; the membership and its history row), and no audit log. It is
       installed into the venv on first run (the `bench` extra of pyproject.toml, pinned:
       `pip install -e '.[bench]'`); `--no-peer` skips it. Above 20,000 rows it imports the first 20,000
       only and the two are compared by rows per second.

Scales (rows): small 2,000; district 20,000; city 100,000; province 200,000 (the import
limit). The organization tree is the small demo tree whatever the scale; the rows are spread
over its Party branches. The importer is the built-in system actor (as on the command line).
Targets: ratio <= 3; at least 5x the peer's rows per second; peak memory (RSS) < 500 MB.
Documented run: --scale city (docs/benchmarks.md). Each contestant's CPU seconds in this
process are printed too: on a shared machine they move less than wall time (on PostgreSQL
they leave out the server's share).

    python bench/import_members.py [--scale small|district|city|province] [--db sqlite|postgres]
"""

import argparse
import datetime as dt
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness

NAME = "import_members"
ROWS = {"small": 2_000, "district": 20_000, "city": 100_000, "province": 200_000}
PEER_MAX = 20_000
NO_PEER = "JICENG_BENCH_NO_PEER"
PEER_OFFSET = 4_000_000  # another region: the peer's ID numbers never meet ours
CPU: dict[str, float] = {}  # this process's CPU seconds of the last run of each contestant


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def id_of(n: int) -> str:
    from jiceng.demo.names import id_number

    regions = ("110105", "110108", "310104", "110101", "310101")  # all valid since 1950
    region = regions[(n // 1_000_000) % len(regions)]
    born = dt.date(1950, 1, 1) + dt.timedelta(days=(n % 1_000_000) // 1000)
    return id_number(born, n % 1000, region)


def write_roster(path: Path, first: int, count: int, branches: list[str]) -> None:
    """`count` new members (ID numbers first … first+count-1), streamed to an .xlsx."""
    from openpyxl import Workbook

    from jiceng.sheets.layer import get_spec

    spec = get_spec("members")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.title)
    ws.append([c.header for c in spec.columns])
    educations = ("大学本科", "大专", "高中", "研究生", "初中")
    categories = ("在职", "离退休", "农民", "学生", "其他")
    for n in range(first, first + count):
        number = id_of(n)
        born = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        ws.append(
            [
                f"党员{n}",
                number,
                "男" if int(number[16]) % 2 else "女",
                "汉族" if n % 10 else "回族",
                born,
                educations[n % 5],
                f"13{n % 1_000_000_000:09d}",
                branches[n % len(branches)],
                categories[n % 5],
                "",
                "正式党员" if n % 7 else "预备党员",
                "2000-07-01",
                "2001-07-01" if n % 7 else None,
                "否",
                "否",
                "是" if n % 13 == 0 else "否",
                "否",
                "否",
            ]
        )
    wb.save(path)


def floor_parse(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows - 1


def ours(path: Path, actor) -> float:
    from jiceng.audit.context import source
    from jiceng.audit.models import Source
    from jiceng.sheets import layer as sheets

    spec = sheets.get_spec("members")
    started, cpu = time.perf_counter(), time.process_time()
    with source(Source.CLI):
        result = sheets.import_sheet(spec, path, actor)
    seconds = time.perf_counter() - started
    CPU["ours"] = time.process_time() - cpu
    if not result.ok:
        sys.exit(f"bench: our import failed: {result.summary()} {result.to_dict()['issues'][:3]}")
    return seconds


def ensure_peer() -> bool:
    if importlib.util.find_spec("import_export") and importlib.util.find_spec("tablib"):
        return True
    _harness.say("installing the peer (pyproject.toml's bench extra) into the venv …")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-e", f"{root}[bench]"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        _harness.say(f"could not install the peer; skipping it:\n{done.stderr[-800:]}")
        return False
    importlib.invalidate_caches()
    return True


def peer(path: Path, branches: dict) -> float:
    """django-import-export importing the roster into Person, PartyMembership, MembershipState."""
    import tablib
    from django.core.exceptions import ValidationError
    from import_export import fields, resources

    from jiceng.people import crypto
    from jiceng.people.identity import (
        birth_date_of,
        gender_of,
        id_number_problem,
        normalize_id_number,
        normalize_phone,
    )
    from jiceng.people.models import MembershipState, PartyMembership, Person
    from jiceng.people.services import ID_CONTEXT, PHONE_CONTEXT
    from jiceng.people.sheets import CATEGORIES, EDUCATION, ETHNICITIES, FLOATING, STAGES

    yes = {"是": True, "否": False}

    def day(value):
        if value in (None, ""):
            return None
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

    class MemberResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number_hash = fields.Field(attribute="id_number_hash", column_name="公民身份号码")
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
        education = fields.Field(attribute="education", column_name="文化程度")

        class Meta:
            model = Person
            import_id_fields = ("id_number_hash",)
            fields = ("name", "id_number_hash", "ethnicity", "education")

        def before_import_row(self, row, **kwargs):
            number = normalize_id_number(str(row["公民身份号码"]))
            gender = "male" if row["性别"] == "男" else "female"
            if problem := id_number_problem(number, gender=gender, birth_date=day(row["出生日期"])):
                raise ValidationError(problem)
            row["_number"] = number
            row["公民身份号码"] = crypto.lookup_hash(number, ID_CONTEXT)
            row["民族"] = ETHNICITIES.parse(row["民族"])
            row["文化程度"] = EDUCATION.parse(row["文化程度"])

        def before_save_instance(self, instance, row, **kwargs):
            number = row["_number"]
            instance.id_number_encrypted = crypto.encrypt(number, ID_CONTEXT)
            instance.id_number_masked = crypto.mask_id_number(number)
            instance.gender, instance.birth_date = gender_of(number), birth_date_of(number)
            phone = normalize_phone(str(row["手机号码"] or ""))
            if phone:
                instance.phone_encrypted = crypto.encrypt(phone, PHONE_CONTEXT)
                instance.phone_hash = crypto.lookup_hash(phone, PHONE_CONTEXT)
                instance.phone_masked = crypto.mask_phone(phone)

        def after_save_instance(self, instance, row, **kwargs):
            if kwargs.get("dry_run"):
                return
            m = PartyMembership.objects.create(
                person=instance,
                org=branches[row["所在党组织代码"]],
                stage=STAGES.parse(row["阶段"]),
                category=CATEGORIES.parse(row["人员类别"]),
                composition=row["党员构成"] or "",
                floating=FLOATING.parse(row["流动党员"]),
                joined_on=day(row["入党日期"]),
                full_on=day(row["转正日期"]),
                hardship=yes[row["困难党员"]],
                veteran=yes[row["老党员"]],
                reserve_cadre=yes[row["后备干部"]],
                without_post=yes[row["无职党员"]],
            )
            MembershipState.objects.create(
                membership=m,
                valid_from=m.joined_on,
                org=m.org,
                stage=m.stage,
                category=m.category,
                composition=m.composition,
                floating=m.floating,
            )

    started, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as f:
        dataset = tablib.Dataset().load(f, format="xlsx")
    result = MemberResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - started
    CPU["peer"] = time.process_time() - cpu
    if result.has_errors() or result.has_validation_errors():
        sys.exit("bench: the peer's import failed")
    return seconds


def main() -> None:
    if "--no-peer" in sys.argv:  # our own flag; kept in the environment across a re-exec
        sys.argv.remove("--no-peer")
        os.environ[NO_PEER] = "1"
    parser_args = _harness.parse_args(NAME, __doc__.splitlines()[0], "city")
    rows = ROWS[parser_args.scale]
    no_peer = os.environ.get(NO_PEER) == "1"
    tree_args = argparse.Namespace(**{**vars(parser_args), "scale": "small"})
    prepared = _harness.prepare(tree_args)

    from jiceng.access.services import system_actor
    from jiceng.orgs.models import Kind, Organization
    from jiceng.people.models import PartyMembership

    branches = {o.code: o for o in Organization.objects.filter(kind=Kind.BRANCH)}
    if not branches:
        sys.exit("bench: the tree has no Party branches")
    codes = sorted(branches)
    actor = system_actor()
    folder = Path(tempfile.mkdtemp(prefix="jiceng-roster-"))
    runs = parser_args.repeat if parser_args.scale == "small" else 1

    started = time.perf_counter()
    files = []
    for run in range(runs):
        path = folder / f"roster{run}.xlsx"
        write_roster(path, run * rows, rows, codes)
        files.append(path)
    _harness.say(
        f"{runs} roster(s) of {rows:,} new members over {len(codes):,} branches written in "
        f"{time.perf_counter() - started:.1f}s ({files[0].stat().st_size / 1024 / 1024:.1f} MB each)"
    )

    floor_times = []
    for _ in range(max(3, runs)):
        t = time.perf_counter()
        parsed = floor_parse(files[0])
        floor_times.append(time.perf_counter() - t)
    if parsed != rows:
        sys.exit(f"bench: the floor read {parsed} rows, not {rows}")
    floor = min(floor_times)
    _harness.say(f"floor: openpyxl read-only parse  best {floor:.2f}s of {len(floor_times)}")

    before = PartyMembership.objects.count()
    ours_times = [ours(path, actor) for path in files]
    added = PartyMembership.objects.count() - before
    if added != rows * runs:
        sys.exit(f"bench: {added} members were written, not {rows * runs}")
    best = min(ours_times)
    memory = peak_mb()
    ours_cpu = CPU["ours"]  # of the last run
    _harness.say(
        f"ours: import_sheet(members)       best {best:.2f}s of {runs} "
        f"({', '.join(f'{t:.2f}' for t in ours_times)}) = {rows / best:,.0f} rows/s; "
        f"peak RSS {memory:.0f} MB; this process's CPU {ours_cpu:.2f}s "
        f"({rows / ours_cpu:,.0f} rows per CPU second)"
    )
    again = ours(files[0], actor)
    _harness.say(f"re-import of the same file (nothing changes): {again:.2f}s")

    if no_peer or not ensure_peer():
        peer_note = "peer skipped"
    else:
        count = min(rows, PEER_MAX)
        path = folder / "peer.xlsx"
        write_roster(path, PEER_OFFSET, count, codes)
        before = PartyMembership.objects.count()
        seconds = peer(path, branches)
        if PartyMembership.objects.count() - before != count:
            sys.exit("bench: the peer did not write every row")
        speedup = (rows / best) / (count / seconds)
        _harness.say(
            f"peer: django-import-export       {seconds:.2f}s for {count:,} rows = "
            f"{count / seconds:,.0f} rows/s; ours is {speedup:.1f}x faster; this process's "
            f"CPU {CPU['peer']:.2f}s ({count / CPU['peer']:,.0f} rows per CPU second: "
            f"ours {(rows / ours_cpu) / (count / CPU['peer']):.1f}x)"
        )
        peer_note = f"{speedup:.1f}x django-import-export"

    vendor = "postgres" if prepared.vendor == "postgresql" else "sqlite"
    _harness.last_line(
        NAME,
        f"{best:.2f}s for {rows:,} rows ({rows / best:,.0f} rows/s, {peer_note}, "
        f"peak {memory:.0f} MB)",
        best / floor,
        f"openpyxl read-only parse of the same file ({vendor}, {parser_args.scale})",
    )


if __name__ == "__main__":
    main()
