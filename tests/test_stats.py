"""Figures from the seeds: built from records, reported to the decimal, mistakes flagged."""

import datetime as dt

import pytest

from jiceng.demo.build import credit_code
from jiceng.kernel.figures import period_end
from jiceng.orgs.models import Kind, UnitKind
from jiceng.orgs.services import move, register_unit, set_up, update_unit
from jiceng.stats.checks import check_against_records, check_rate, check_total
from jiceng.stats.selectors import (
    figure,
    orgs_by_kind_and_host,
    published,
    region_figure,
    rollup,
    units_by_kind,
)
from jiceng.stats.services import snapshot_period

START = dt.date(2020, 1, 1)
TODAY = dt.date.today()


class Builder:
    """Registers units and sets up organizations through the services, numbering codes."""

    def __init__(self, world):
        self.world, self.n = world, 0

    def unit(self, responsible, kind=UnitKind.ENTERPRISE, ownership="non_public", on=START, **kw):
        self.n += 1
        return register_unit(
            self.world.system,
            credit_code=credit_code(self.n, "410102"),
            name=f"单位{self.n}",
            kind=kind,
            ownership=ownership,
            responsible_org=responsible,
            on=on,
            **kw,
        )

    def org(self, parent, kind=Kind.BRANCH, units=(), on=START):
        self.n += 1
        return set_up(
            self.world.system,
            code=f"O{self.n}",
            name=f"组织{self.n}",
            kind=kind,
            parent=parent,
            units=list(units),
            founded_on=on,
        )


@pytest.fixture
def build(world):
    return Builder(world)


def test_coverage_of_non_public_enterprises_reads_38_3_percent(world, build):
    """001:L8: 162 non-public enterprises, 62 with a Party organization → 38.3%."""
    enterprises = [build.unit(world.street_a if i % 2 else world.street_b) for i in range(162)]
    for unit in enterprises[:62]:
        build.org(world.street_a, units=[unit])
    build.unit(world.street_a, ownership="state")  # state-owned: not in this figure
    result = figure("party_coverage_non_public", world.district, TODAY)
    assert (result.numerator, result.denominator, result.rate) == (62, 162, 38.3)
    assert check_rate(62, 162, 38.3) == []


def test_the_rollup_gives_every_node_its_subtree_figure(world, build):
    covered = build.unit(world.street_a)
    build.org(world.street_a, units=[covered])
    build.unit(world.street_a)
    build.unit(world.street_b)
    figures = rollup("party_coverage_non_public", TODAY)
    by_code = {
        code: figures.get(org.pk)
        for code, org in [("D", world.district), ("SA", world.street_a), ("SB", world.street_b)]
    }
    assert (by_code["D"].numerator, by_code["D"].denominator) == (1, 3)
    assert (by_code["SA"].numerator, by_code["SA"].denominator) == (1, 2)
    assert (by_code["SB"].numerator, by_code["SB"].denominator) == (0, 1)


def test_above_scale_follows_the_policy_thresholds(world, build):
    """000:L49: ≥100 employees, or 50-99 employees and revenue over 5,000,000 yuan."""
    build.unit(world.street_a, employees=100)
    build.unit(world.street_a, employees=60, revenue=5_000_001)
    build.unit(world.street_a, employees=60, revenue=5_000_000)  # not over 5,000,000
    build.unit(world.street_a, employees=49, revenue=90_000_000)
    assert figure("party_coverage_above_scale", world.district, TODAY).denominator == 2


def test_organization_counts_by_kind_and_host_catch_the_366_that_should_be_362(world, build):
    """001:L130: 党委2 + 党总支48 + 党支部312 = 362, but the report says 366."""
    hosts = {
        "hospital": build.unit(world.district, kind=UnitKind.HOSPITAL, ownership="state"),
        "enterprise_non_public": build.unit(world.district),
        "community": build.unit(world.district, kind=UnitKind.COMMUNITY, ownership="collective"),
        "enterprise_state": build.unit(world.district, ownership="state"),
        "school": build.unit(world.district, kind=UnitKind.SCHOOL, ownership="state"),
        "social_org": build.unit(world.district, kind=UnitKind.SOCIAL_ORG, ownership="non_public"),
        "other": build.unit(world.district, kind=UnitKind.OTHER, ownership="state"),
    }
    parts = {
        Kind.PARTY_COMMITTEE: {"hospital": 1, "enterprise_non_public": 1},
        Kind.GENERAL_BRANCH: {"community": 46, "hospital": 1, "enterprise_state": 1},
        Kind.BRANCH: {
            "community": 224,
            "enterprise_state": 17,
            "school": 16,
            "hospital": 11,
            "social_org": 3,
            "other": 41,
        },
    }
    city = set_up(
        world.system,
        code="CITY",
        name="中共某区城市基层党建",
        kind=Kind.PARTY_COMMITTEE,
        founded_on=START,
    )
    for kind, by_host in parts.items():
        for host, count in by_host.items():
            for _ in range(count):
                build.org(city, kind=kind, units=[hosts[host]])
    table = orgs_by_kind_and_host(city, TODAY)
    assert {kind: dict(counts) for kind, counts in table.items()} == parts
    totals = {kind: sum(counts.values()) for kind, counts in table.items()}
    assert totals == {Kind.PARTY_COMMITTEE: 2, Kind.GENERAL_BRANCH: 48, Kind.BRANCH: 312}
    [finding] = check_total(366, totals, label="城市基层党组织")
    assert "366" in finding.message and "362" in finding.message
    assert check_total(362, totals) == []
    assert check_against_records({"branch": 312, "general_branch": 50}, totals)[0].computed == 48


def test_a_moved_branch_counts_under_its_old_parent_before_the_date_and_the_new_one_after(world):
    d = dt.date(2025, 6, 1)
    move(world.system, world.branch_a1, new_parent=world.street_b, on=d)
    before, after = d - dt.timedelta(days=1), d
    assert orgs_by_kind_and_host(world.street_a, before)[Kind.BRANCH]["none"] == 2
    assert orgs_by_kind_and_host(world.street_a, after)[Kind.BRANCH]["none"] == 1
    assert orgs_by_kind_and_host(world.street_b, before)[Kind.BRANCH]["none"] == 1
    assert orgs_by_kind_and_host(world.street_b, after)[Kind.BRANCH]["none"] == 2


def test_a_unit_follows_its_responsible_org_in_the_figures_as_of_each_date(world, build):
    unit = build.unit(world.street_a)
    update_unit(world.system, unit, responsible_org=world.street_b, on=dt.date(2025, 6, 1))
    assert (
        figure("party_coverage_non_public", world.street_a, dt.date(2025, 5, 31)).denominator == 1
    )
    assert figure("party_coverage_non_public", world.street_a, dt.date(2025, 6, 1)).denominator == 0
    assert figure("party_coverage_non_public", world.street_b, dt.date(2025, 6, 1)).denominator == 1


def test_figures_before_anything_existed_are_empty(world, build):
    build.unit(world.street_a, on=dt.date(2024, 1, 1))
    assert (
        figure("party_coverage_non_public", world.district, dt.date(2023, 12, 31)).denominator == 0
    )
    assert figure("party_coverage_non_public", world.district, dt.date(2024, 1, 1)).denominator == 1


def test_a_closed_period_keeps_its_published_figures_when_records_change_later(world, build):
    enterprise = build.unit(world.street_a)
    build.unit(world.street_a)
    snapshot_period(world.system, "2025")
    assert published("party_coverage_non_public", world.district, "2025").rate == 0.0
    # A branch found later to have existed since mid-2025 is entered afterwards.
    build.org(world.street_a, units=[enterprise], on=dt.date(2025, 7, 1))
    live = figure("party_coverage_non_public", world.district, period_end("2025"))
    assert (live.numerator, live.denominator) == (1, 2)
    frozen = published("party_coverage_non_public", world.district, "2025")
    assert (frozen.numerator, frozen.denominator) == (0, 2)
    assert published("party_coverage_non_public", world.district, "2024") is None


def test_union_establishment_rate_counts_units_that_should_have_a_union(world):
    builder = Builder(world)

    def unit(employees):
        builder.n += 1
        return register_unit(
            world.system,
            credit_code=credit_code(builder.n),
            name=f"厂{builder.n}",
            kind="enterprise",
            ownership="non_public",
            employees=employees,
            responsible_union=world.union,
            on=START,
        )

    with_union, without, small = unit(80), unit(30), unit(10)
    set_up(
        world.system,
        code="UU",
        name="厂工会",
        kind=Kind.UNION,
        parent=world.union,
        units=[with_union],
        founded_on=START,
    )
    result = figure("union_establishment_rate", world.union, TODAY)
    assert (result.numerator, result.denominator) == (1, 2)  # 10 employees: below 25
    del without, small


def test_units_by_kind_and_region(world, build):
    build.unit(world.street_a, region_code="410102001")
    build.unit(world.street_a, kind=UnitKind.SCHOOL, ownership="state", region_code="410103001")
    assert units_by_kind(world.district, TODAY) == {"enterprise_non_public": 1, "school": 1}
    assert (
        region_figure(world.system, "party_coverage_non_public", "410102", TODAY).denominator == 1
    )
    assert (
        region_figure(world.users["viewer"], "party_coverage_non_public", "410102").denominator == 0
    )


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("2026", dt.date(2026, 12, 31)),
        ("2026H1", dt.date(2026, 6, 30)),
        ("2026Q3", dt.date(2026, 9, 30)),
        ("2026-02", dt.date(2026, 2, 28)),
    ],
)
def test_period_ends(period, end):
    assert period_end(period) == end


def test_figures_api_and_cli_serve_the_same_definition(world, build, client, capsys, tmp_path):
    import json

    from django.core.management import call_command
    from openpyxl import load_workbook

    from jiceng.access.services import create_token

    covered = build.unit(world.street_a)
    build.org(world.street_a, units=[covered])
    build.unit(world.street_b)
    _t, raw = create_token(world.system, user=world.users["district_admin"])
    data = json.loads(
        client.get(
            "/api/v1/stats/figures", {"org": "D"}, HTTP_AUTHORIZATION=f"Bearer {raw}"
        ).content
    )
    coverage = next(m for m in data["metrics"] if m["metric"] == "party_coverage_non_public")
    assert coverage["figure"] == {"numerator": 1, "denominator": 2, "rate": 50.0}
    assert {c["org"]["code"]: c["figure"]["rate"] for c in coverage["children"]} == {
        "SA": 100.0,
        "SB": 0.0,
    }
    call_command("stats", "coverage", "--org", "D", "--format", "json")
    cli = json.loads(capsys.readouterr().out)
    assert cli["metrics"][0]["rate"] == 50.0
    out = tmp_path / "cov.xlsx"
    call_command("stats", "coverage", "--org", "D", "--format", "xlsx", "-o", str(out))
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[2][1:] == ("D", "中共青山区委员会", 1, 2, 50.0)


def test_figures_of_another_subtree_are_refused(world, client):
    from jiceng.access.services import create_token

    _t, raw = create_token(world.system, user=world.users["street_a_admin"])
    response = client.get(
        "/api/v1/stats/figures", {"org": "SB"}, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 404


def test_closing_a_period_twice_or_by_a_non_admin_is_refused(world):
    from django.core.exceptions import ValidationError

    snapshot_period(world.system, "2025")
    for actor in (world.system, world.users["district_admin"]):
        with pytest.raises(ValidationError):
            snapshot_period(actor, "2025")
