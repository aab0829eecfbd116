"""`jiceng elections` finishes a case from the command line: a union case from the request to
the new term through the commands only (nominations, list, congress with its quorum, tallies
and a corrected batch, the first plenary, the term begun by the upper level), refusals in
Chinese, data as JSON; a paper ballot entered wrongly and corrected; other organizations
refused."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.elections.models import (
    BallotCorrection,
    CaseState,
    ElectionCase,
    Poll,
    TallyCorrection,
    Term,
)
from tests.test_election_case import make_company


@pytest.fixture
def company(world):
    return make_company(world)


def run(capsys, *args, as_user=None) -> str:
    capsys.readouterr()
    call_command("elections", *args, *(["--as", as_user] if as_user else []))
    return capsys.readouterr().out


def run_json(capsys, *args, as_user=None):
    return json.loads(run(capsys, *args, "--format", "json", as_user=as_user))


def enter_batch(capsys, tmp_path, poll: dict, votes: dict, present: int, as_user: str) -> None:
    path = tmp_path / f"poll{poll['id']}.csv"
    rows = ["姓名,赞成,反对,弃权"] + [
        f"{name},{votes.get(name, 0)},{present - votes.get(name, 0)},0"
        for name in poll["candidates"]
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run(
        capsys,
        "poll",
        "enter",
        str(poll["id"]),
        str(path),
        "--batch",
        "第一计票组",
        "--ballots",
        str(present),
        "--present",
        str(present),
        "--issued",
        str(present),
        "--returned",
        str(present),
        as_user=as_user,
    )


def test_a_union_case_from_request_to_term_by_commands(world, company, capsys, tmp_path):
    names = [m.name for m in company["members"][:4]]
    out = run(
        capsys,
        "case",
        "create",
        "--org",
        "CU",
        "--requested-on",
        "2026-03-02",
        "--planned-on",
        "2026-05-15",
        "--last-congress-on",
        "2021-05-20",
        "--delegates",
        "85",
        "--committee-seats",
        "3",
        "--party-org",
        "CP",
        as_user="cu_officer",
    )
    case = ElectionCase.objects.get(org__code="CU")
    assert f"已登记换届选举案 {case.pk}" in out
    cid = str(case.pk)
    approvals = (
        ("approve_party", "示党〔2026〕3号", "2026-03-05", "cp_officer"),
        ("approve_upper", "青工〔2026〕8号", "2026-03-09", "u_admin"),
    )
    for step, document, on, who in approvals:
        run(
            capsys,
            "case",
            "approve",
            "--case",
            cid,
            "--step",
            step,
            "--document",
            document,
            "--on",
            on,
            as_user=who,
        )

    # Nominations: two groups, tallied per nominee; a bad count is refused in Chinese.
    with pytest.raises(CommandError, match="姓名和提名人数之间用等号"):
        run(capsys, "case", "nominate", "--case", cid, "--committee", "union", "--group", "甲",
            "--count", names[0], as_user="cu_officer")  # fmt: skip
    counts = [arg for n in names for arg in ("--count", f"{n}=30")]
    out = run(
        capsys,
        "case",
        "nominate",
        "--case",
        cid,
        "--committee",
        "union",
        "--group",
        "第一代表团",
        "--on",
        "2026-03-20",
        *counts,
        as_user="cu_officer",
    )
    assert "已登记“第一代表团”对工会委员会的提名 4 人" in out
    run(
        capsys,
        "case",
        "nominate",
        "--case",
        cid,
        "--committee",
        "union",
        "--group",
        "第二代表团",
        "--on",
        "2026-03-20",
        "--count",
        f"{names[0]}=25",
        as_user="cu_officer",
    )
    tallies = run_json(capsys, "case", "nominations", "--case", cid, as_user="cu_officer")
    top = tallies["tallies"]["union"][0]
    assert top == {"name": names[0], "total": 55, "groups": {"第一代表团": 30, "第二代表团": 25}}

    run(capsys, "case", "slate", "--case", cid, "--union", ",".join(names), "--on", "2026-03-25",
        as_user="cu_officer")  # fmt: skip
    run(capsys, "case", "approve", "--case", cid, "--step", "review_slate", "--document",
        "示党〔2026〕5号", "--on", "2026-04-01", as_user="cp_officer")  # fmt: skip

    # The congress: without two thirds present it is refused; then one poll opens.
    congress = ("case", "congress", "--case", cid, "--held-on", "2026-05-15", "--entitled", "85")
    with pytest.raises(CommandError, match="三分之二"):
        run(capsys, *congress, "--present", "56", as_user="cu_officer")
    (poll,) = run_json(capsys, *congress, "--present", "80", as_user="cu_officer")
    assert (poll["seats"], poll["entitled"], poll["present"], poll["committee"]) == (
        3,
        85,
        80,
        "union",
    )
    assert sorted(poll["candidates"]) == sorted(names)
    sheet = poll["candidates"]
    # A batch entered with a slip (the third candidate's 60 typed as 06), then corrected.
    enter_batch(capsys, tmp_path, poll, {sheet[0]: 70, sheet[1]: 65, sheet[2]: 6}, 80, "cu_officer")
    with pytest.raises(CommandError, match="请填写更正原因"):
        run(capsys, "poll", "correct-sheet", str(poll["id"]), "--batch", "第一计票组",
            "--reason", " ", "--line", f"{sheet[2]}=60,20", as_user="cu_officer")  # fmt: skip
    fixed = run_json(capsys, "poll", "correct-sheet", str(poll["id"]), "--batch", "第一计票组",
                     "--reason", "录入笔误", "--line", f"{sheet[2]}=60,20",
                     as_user="cu_officer")  # fmt: skip
    assert [(c["name"], c["field"], c["old"], c["new"]) for c in fixed["corrections"]] == [
        (sheet[2], "for_votes", 6, 60),
        (sheet[2], "against", 74, 20),
    ]
    assert TallyCorrection.objects.filter(sheet__poll_id=poll["id"]).count() == 2
    result = run_json(capsys, "poll", "result", str(poll["id"]), "--close", as_user="cu_officer")
    assert result["declared"] and sorted(result["elected"]) == sorted(sheet[:3])

    # The first plenary: the chair among those just elected.
    with pytest.raises(CommandError, match="未当选"):
        run(capsys, "case", "plenary", "--case", cid, "--held-on", "2026-05-15",
            "--post", f"主席={sheet[3]}", as_user="cu_officer")  # fmt: skip
    (chair_poll,) = run_json(capsys, "case", "plenary", "--case", cid, "--held-on", "2026-05-15",
                             "--post", f"主席={sheet[0]}", as_user="cu_officer")  # fmt: skip
    assert (chair_poll["post"], chair_poll["entitled"], chair_poll["seats"]) == ("chair", 3, 1)
    enter_batch(capsys, tmp_path, chair_poll, {sheet[0]: 3}, 3, "cu_officer")
    run(capsys, "poll", "result", str(chair_poll["id"]), "--close", as_user="cu_officer")

    # The union does not begin its own term; the upper union does.
    with pytest.raises(CommandError, match="上级"):
        run(capsys, "case", "begin-term", "--case", cid, as_user="cu_officer")
    (term,) = run_json(capsys, "case", "begin-term", "--case", cid, "--starts-on", "2026-05-15",
                       as_user="u_admin")  # fmt: skip
    assert (term["org"], term["number"], term["starts_on"]) == ("CU", 2, "2026-05-15")
    posts = {o["name"]: o["post"] for o in term["officers"]}
    assert posts == {sheet[0]: "chair", sheet[1]: "member", sheet[2]: "member"}
    case.refresh_from_db()
    assert case.state == CaseState.DONE
    assert Term.objects.get(org__code="CU", number=1).ended_on.isoformat() == "2026-05-14"
    out = run(capsys, "case", "show", "--case", cid, as_user="cu_officer")
    assert "示党〔2026〕5号" in out


def test_a_paper_ballot_is_corrected_and_a_next_round_opened(world, capsys, tmp_path):
    out = run(capsys, "poll", "create", "--org", "A1", "--title", "支部委员补选", "--seats", "1",
              "--entitled", "4", "--candidate", "张三", "--candidate", "李四",
              as_user="a1_officer")  # fmt: skip
    poll = Poll.objects.get(title="支部委员补选")
    assert f"已建立投票 {poll.pk}" in out
    first, second = (c.name for c in poll.candidates.order_by("position"))
    ballots = {"present": 4, "issued": 4, "returned": 4,
               "individual_ballots": ["Y-", "Y-", "YN", "-Y"]}  # fmt: skip
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(ballots), encoding="utf-8")
    run(capsys, "poll", "enter", str(poll.pk), str(path), as_user="a1_officer")
    provisional = run_json(capsys, "poll", "result", str(poll.pk), as_user="a1_officer")
    assert provisional["elected"] == [first]  # 3 of 4 present
    with pytest.raises(CommandError, match="没有按“YY”录入的选票"):
        run(capsys, "poll", "correct-ballot", str(poll.pk), "--old", "YY", "--new", "Y-",
            "--reason", "看错", as_user="a1_officer")  # fmt: skip
    with pytest.raises(CommandError, match="Y 赞成"):  # the service's rule, in Chinese
        run(capsys, "poll", "correct-ballot", str(poll.pk), "--old", "YN", "--new", "Y",
            "--reason", "看错", as_user="a1_officer")  # fmt: skip
    # The third ballot was "-N", not "YN": 2 of 4 is not more than half, the seat stays empty.
    out = run(capsys, "poll", "correct-ballot", str(poll.pk), "--old", "YN", "--new=-N",
              "--reason", "录入时看错", as_user="a1_officer")  # fmt: skip
    assert "已更正一张选票：YN → -N（录入时看错）" in out
    fix = BallotCorrection.objects.get(poll=poll)
    assert (fix.old_marks, fix.new_marks, fix.corrected_by.username) == ("YN", "-N", "a1_officer")
    result = run_json(capsys, "poll", "result", str(poll.pk), "--close", as_user="a1_officer")
    assert result["declared"] and result["elected"] == [] and result["remaining_seats"] == 1
    (later,) = run_json(capsys, "case", "next-round", "--poll", str(poll.pk), "--kind",
                        "additional", "--candidate", first, "--candidate", "王五",
                        as_user="a1_officer")  # fmt: skip
    assert (later["round"], later["kind"], later["parent"], later["seats"]) == (
        2,
        "additional",
        poll.pk,
        1,
    )
    assert (
        sorted(later["candidates"]) == sorted([first, "王五"]) and second not in later["candidates"]
    )

    # Another branch's officer can neither read nor correct; a closed poll is not corrected.
    with pytest.raises(CommandError, match="没有这个记录"):
        run(capsys, "poll", "correct-ballot", str(poll.pk), "--old", "Y-", "--new=-Y",
            "--reason", "越权", as_user="a2_officer")  # fmt: skip
    with pytest.raises(CommandError, match="没有这个记录"):
        run(capsys, "case", "next-round", "--poll", str(poll.pk), "--kind", "revote",
            as_user="a2_officer")  # fmt: skip
    with pytest.raises(CommandError, match="已宣布结果"):
        run(capsys, "poll", "correct-ballot", str(poll.pk), "--old", "Y-", "--new=-Y",
            "--reason", "晚了", as_user="a1_officer")  # fmt: skip


def test_other_organizations_cannot_take_the_cases_steps(world, company, capsys):
    run(capsys, "case", "create", "--org", "CU", "--requested-on", "2026-03-02", "--planned-on",
        "2026-05-15", "--delegates", "85", "--committee-seats", "3", "--party-org", "CP",
        as_user="cu_officer")  # fmt: skip
    cid = str(ElectionCase.objects.get(org__code="CU").pk)
    for args in (
        ("case", "nominate", "--case", cid, "--committee", "union", "--group", "x",
         "--count", "张三=1"),
        ("case", "nominations", "--case", cid),
        ("case", "congress", "--case", cid, "--held-on", "2026-05-15", "--entitled", "85",
         "--present", "80"),
        ("case", "plenary", "--case", cid, "--held-on", "2026-05-15"),
        ("case", "begin-term", "--case", cid),
    ):  # fmt: skip
        with pytest.raises(CommandError, match="没有这个记录"):
            run(capsys, *args, as_user="a2_officer")
    assert ElectionCase.objects.get(pk=cid).nominations.count() == 0


def test_the_request_names_audit_vice_chairs_and_proposed_officers(
    world, company, capsys, tmp_path
):
    """`case create --audit-vice-chairs --proposed 主席=… --proposed 副主席=…,…` and the
    request as .docx addressed first to the Party organization (`--to party`), then upward."""
    from tests.test_election_case import docx_text

    names = [m.name for m in company["members"]]
    base = ("case", "create", "--org", "CU", "--requested-on", "2026-03-02", "--planned-on",
            "2026-05-15", "--delegates", "85", "--committee-seats", "5", "--vice-chairs", "2",
            "--audit-seats", "3", "--party-org", "CP")  # fmt: skip
    with pytest.raises(CommandError, match="名额 2 名，却拟定了 3 人"):
        run(capsys, *base, "--proposed", f"副主席={names[1]},{names[2]}、{names[3]}",
            as_user="cu_officer")  # fmt: skip
    with pytest.raises(CommandError, match="等号"):
        run(capsys, *base, "--proposed", names[0], as_user="cu_officer")
    with pytest.raises(CommandError, match="不能多于"):
        run(capsys, *base, "--audit-vice-chairs", "3", as_user="cu_officer")
    out = run(capsys, *base, "--audit-vice-chairs", "1", "--proposed", f"主席={names[0]}",
              "--proposed", f"副主席={names[1]},{names[2]}", "--proposed",
              f"经审主任={names[10]}", as_user="cu_officer")  # fmt: skip
    case = ElectionCase.objects.get(org__code="CU")
    assert f"已登记换届选举案 {case.pk}" in out
    assert case.audit_vice_chair_posts == 1
    assert case.proposed_officers == {
        "chair": [names[0]],
        "vice_chair": [names[1], names[2]],
        "audit_chair": [names[10]],
    }

    to_party, to_upper = tmp_path / "party.docx", tmp_path / "upper.docx"
    run(capsys, "case", "report", "--case", str(case.pk), "--kind", "request", "--to", "party",
        "-o", str(to_party), as_user="cu_officer")  # fmt: skip
    run(capsys, "case", "report", "--case", str(case.pk), "--kind", "request",
        "-o", str(to_upper), as_user="cu_officer")  # fmt: skip
    party_text = docx_text(to_party.read_bytes())
    upper_text = docx_text(to_upper.read_bytes())
    assert "中共示例有限公司支部委员会：" in party_text
    assert f"建议工会主席为{names[0]}、副主席为{names[1]}、{names[2]}、经审主任为{names[10]}" in (
        party_text
    )
    assert "青山区总工会：" in upper_text and "经审副主任" in upper_text
    assert f"经中共示例有限公司支部委员会研究同意，拟定工会主席为{names[0]}" in upper_text

    # A Party organization's request goes only upward.
    run(capsys, "case", "create", "--org", "A1", "--requested-on", "2026-03-02", "--planned-on",
        "2026-05-15", "--delegates", "30", "--committee-seats", "5", as_user="a1_officer")  # fmt: skip
    party_case = ElectionCase.objects.get(org__code="A1")
    with pytest.raises(CommandError, match="没有本级党组织这一步"):
        run(capsys, "case", "report", "--case", str(party_case.pk), "--kind", "request", "--to",
            "party", "-o", str(tmp_path / "x.docx"), as_user="a1_officer")  # fmt: skip
