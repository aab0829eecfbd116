"""Polls end to end (DOMAIN.md §4): the ballot sheet in surname stroke order and as a PDF, tally
batches with every correction kept, individual ballots, results explained, later rounds, the
command line and the API — and another organization's poll refused."""

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.elections import ballot_pdf, selectors, services
from jiceng.elections.models import Poll, RoundKind, TallyCorrection
from jiceng.orgs.services.policy import set_override

HELD = dt.date(2026, 6, 1)
NAMES = ["张三", "王五", "李四", "丁一", "欧阳修"]
STROKE_ORDER = ["丁一", "王五", "李四", "张三", "欧阳修"]  # 丁2 王4 李7(横起) 张7(折起) 欧8


def make_poll(world, actor="a1_officer", **kw):
    fields = {
        "org": world.branch_a1,
        "title": "第四届支部委员会选举",
        "seats": 3,
        "entitled": 50,
        "held_on": HELD,
        "candidates": NAMES,
    } | kw
    return services.create_poll(world.users[actor], **fields)


def lines(**votes):
    return [{"name": n, "for": f, "against": a} for n, (f, a) in votes.items()]


def pdf_strings(data: bytes) -> list[str]:
    """The text drawn in an uncompressed PDF: literal strings in UTF-16BE (the CID font)."""
    found = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", data, flags=re.S):
        out, i = bytearray(), 0
        while i < len(raw):
            if raw[i : i + 1] == b"\\":
                nxt = raw[i + 1 : i + 2]
                if nxt.isdigit():
                    digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4]).group()
                    out.append(int(digits, 8))
                    i += 1 + len(digits)
                    continue
                out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(nxt, nxt)
                i += 2
                continue
            out.append(raw[i])
            i += 1
        found.append(out.decode("utf-16-be", errors="replace"))
    return found


def test_the_ballot_sheet_is_in_surname_stroke_order(world):
    poll = make_poll(world)
    assert [c.name for c in selectors.ballot_sheet(poll)] == STROKE_ORDER
    assert poll.ballot_order == "surname_strokes"
    set_override(
        world.system,
        key="elections.ballot.order",
        org=world.street_a,
        value="nomination",
        valid_from=dt.date(2026, 1, 1),
        reason="街道党工委〔2026〕5号",
    )
    as_nominated = make_poll(world, title="另一次选举")
    assert [c.name for c in selectors.ballot_sheet(as_nominated)] == NAMES


def test_the_ballot_pdf_lists_the_candidates_in_sheet_order(world, tmp_path, capsys):
    poll = make_poll(world)
    data = ballot_pdf.render(poll, selectors.ballot_sheet(poll), compress=False)
    text = pdf_strings(data)
    places = [next(i for i, t in enumerate(text) if t == name) for name in STROKE_ORDER]
    assert places == sorted(places)
    assert any("应选 3 名" in t for t in text)
    assert any("和平社区第一党支部" in t for t in text)
    target = tmp_path / "ballots.pdf"
    call_command(
        "elections",
        "poll",
        "ballots",
        str(poll.pk),
        "--pdf",
        str(target),
        "--copies",
        "2",
        "--as",
        "a1_officer",
    )
    assert target.read_bytes().startswith(b"%PDF") and "2 张选票" in capsys.readouterr().out


def test_tally_batches_and_every_correction_is_kept(world):
    poll = make_poll(world)
    officer = world.users["a1_officer"]
    services.record_attendance(officer, poll, present=48, issued=48, returned=48)
    services.enter_sheet(
        officer,
        poll,
        label="第一计票组",
        ballots=24,
        invalid=1,
        lines=lines(张三=(20, 2), 王五=(18, 3), 李四=(12, 8), 丁一=(9, 10), 欧阳修=(5, 15)),
    )
    second = services.enter_sheet(
        officer,
        poll,
        label="第二计票组",
        ballots=24,
        invalid=0,
        lines=lines(张三=(19, 3), 王五=(16, 4), 李四=(13, 7), 丁一=(11, 9), 欧阳修=(4, 16)),
    )
    result = selectors.result(officer, poll)
    assert result["complete"] and result["valid"]
    by_name = {li["name"]: li for li in result["lines"]}
    assert by_name["张三"]["for_votes"] == 39 and by_name["张三"]["status"] == "elected"
    assert by_name["王五"]["status"] == "elected"  # 34 > 24 (half of 48 present)
    assert by_name["李四"]["status"] == "elected"  # 25 > 24
    # A teller's slip: 李四 had 11, not 13, in the second batch; then the count is fixed again.
    services.correct_sheet(
        officer, second, reason="复核选票，第二组李四实得11票", lines=[{"name": "李四", "for": 11}]
    )
    services.correct_sheet(
        officer, second, reason="再次复核，确认为12票", lines=[{"name": "李四", "for": 12}]
    )
    history = list(TallyCorrection.objects.filter(sheet=second).order_by("pk"))
    assert [(c.field, c.old, c.new) for c in history] == [
        ("for_votes", 13, 11),
        ("for_votes", 11, 12),
    ]
    assert all(c.corrected_by == officer and c.corrected_at for c in history)
    result = selectors.result(officer, poll)
    li = next(x for x in result["lines"] if x["name"] == "李四")
    assert li["for_votes"] == 24 and li["status"] == "not_elected"
    assert "恰为" in li["reason"]  # 24 of 48 present: exactly half is not elected
    assert result["remaining_seats"] == 1


def test_impossible_batches_are_refused_with_reasons(world):
    poll = make_poll(world)
    officer = world.users["a1_officer"]
    with pytest.raises(ValidationError, match="缺少"):
        services.enter_sheet(officer, poll, label="甲组", ballots=10, lines=lines(张三=(5, 1)))
    with pytest.raises(ValidationError, match="超过本批有效票"):
        services.enter_sheet(
            officer,
            poll,
            label="甲组",
            ballots=10,
            invalid=2,
            lines=lines(张三=(9, 0), 王五=(1, 0), 李四=(1, 0), 丁一=(1, 0), 欧阳修=(1, 0)),
        )
    with pytest.raises(ValidationError, match="不是本次选举的候选人"):
        services.enter_sheet(
            officer,
            poll,
            label="甲组",
            ballots=10,
            lines=[
                *lines(张三=(1, 0), 王五=(1, 0), 李四=(1, 0), 丁一=(1, 0), 欧阳修=(1, 0)),
                {"name": "赵六", "for": 1},
            ],
        )
    with pytest.raises(ValidationError):
        services.record_attendance(officer, poll, present=51)
    with pytest.raises(ValidationError):
        services.record_attendance(officer, poll, present=40, issued=41)


def test_individual_ballots_count_with_the_batches_and_over_marking_is_invalid(world):
    poll = make_poll(world, seats=2, entitled=10, candidates=["甲", "乙", "丙"])
    officer = world.users["a1_officer"]
    # 乙 has 1 stroke; 丙 and 甲 have 5, and 丙 starts with 横 (1), 甲 with 竖 (2).
    assert [c.name for c in selectors.ballot_sheet(poll)] == ["乙", "丙", "甲"]
    services.enter_ballots(
        officer,
        poll,
        [
            "Y-Y",
            "YNY",
            "YYY",  # three names for two seats: invalid
            {"marks": "--Y", "write_ins": ["赵六"]},
            {"marks": "YN-", "void": True},  # unreadable
        ],
    )
    services.enter_sheet(
        officer,
        poll,
        label="第二组",
        ballots=4,
        invalid=0,
        lines=[*lines(乙=(3, 0), 丙=(0, 3), 甲=(4, 0)), {"write_in": "赵六", "for": 1}],
    )
    services.record_attendance(officer, poll, present=9, issued=9, returned=9)
    result = selectors.result(officer, poll)
    assert result["complete"], result["problems"]
    by_name = {li["name"]: li for li in result["lines"]}
    assert by_name["乙"]["for_votes"] == 2 + 3 and by_name["甲"]["for_votes"] == 3 + 4
    assert by_name["赵六"]["write_in"] and by_name["赵六"]["for_votes"] == 2
    with pytest.raises(ValidationError, match="候选人"):
        services.enter_ballots(officer, poll, [{"marks": "Y--", "write_ins": ["甲"]}])
    with pytest.raises(ValidationError, match="3 个"):
        services.enter_ballots(officer, poll, ["YY"])


def test_a_tie_at_the_cut_leads_to_a_revote_round(world):
    poll = make_poll(world, seats=2, entitled=50)
    officer = world.users["a1_officer"]
    services.record_attendance(officer, poll, present=45, issued=45, returned=45)
    services.enter_sheet(
        officer,
        poll,
        label="全部",
        ballots=45,
        lines=lines(张三=(40, 1), 王五=(25, 5), 李四=(25, 2), 丁一=(0, 30), 欧阳修=(0, 30)),
    )
    outcome = services.close_poll(officer, poll)
    assert [li.name for li in outcome.lines if li.status == "tied"] == ["李四", "王五"]
    with pytest.raises(ValidationError):  # closed: nothing more is entered
        services.record_attendance(officer, poll, present=44)
    with pytest.raises(ValidationError, match="票数相等"):
        services.create_poll(
            officer,
            org=world.branch_a1,
            title="重新投票",
            seats=1,
            entitled=50,
            held_on=HELD,
            candidates=["张三", "王五"],
            parent=poll,
            kind=RoundKind.REVOTE,
        )
    revote = services.create_poll(
        officer,
        org=world.branch_a1,
        title="重新投票",
        seats=1,
        entitled=50,
        held_on=HELD,
        candidates=["王五", "李四"],
        parent=poll,
        kind=RoundKind.REVOTE,
    )
    assert revote.round == 2
    services.record_attendance(officer, revote, present=45, issued=45, returned=45)
    services.enter_sheet(
        officer, revote, label="全部", ballots=45, lines=lines(王五=(20, 0), 李四=(25, 0))
    )
    result = selectors.result(officer, revote)
    assert [li["name"] for li in result["lines"] if li["status"] == "elected"] == ["李四"]


def test_more_ballots_returned_than_issued_void_the_round_and_a_new_round_follows(world):
    poll = make_poll(world, seats=2, entitled=50)
    officer = world.users["a1_officer"]
    services.record_attendance(officer, poll, present=45, issued=45, returned=46)
    services.enter_sheet(
        officer,
        poll,
        label="全部",
        ballots=46,
        lines=lines(张三=(40, 1), 王五=(30, 5), 李四=(12, 2), 丁一=(0, 30), 欧阳修=(0, 30)),
    )
    outcome = services.close_poll(officer, poll)
    assert not outcome.valid and "无效" in " ".join(outcome.void_reasons)
    assert not [li for li in outcome.lines if li.status == "elected"]
    again = services.create_poll(
        officer,
        org=world.branch_a1,
        title="第四届支部委员会选举（重新选举）",
        seats=2,
        entitled=50,
        held_on=HELD,
        candidates=NAMES,
        parent=poll,
        kind=RoundKind.ADDITIONAL,
    )
    assert (again.round, again.seats) == (2, 2)  # every seat is still open


def test_a_poll_that_could_not_fill_its_seats_is_refused(world):
    with pytest.raises(ValidationError, match="候选人数不得少于应选人数"):
        make_poll(world, seats=5, candidates=["张三", "王五"])
    with pytest.raises(ValidationError, match="无法选出 5 名"):
        make_poll(world, seats=5, entitled=3)
    assert not Poll.objects.exists()


def test_closing_is_refused_while_the_count_does_not_match(world):
    poll = make_poll(world)
    officer = world.users["a1_officer"]
    services.record_attendance(officer, poll, present=48, issued=48, returned=48)
    services.enter_sheet(
        officer,
        poll,
        label="第一组",
        ballots=20,
        lines=lines(张三=(20, 0), 王五=(18, 0), 李四=(12, 0), 丁一=(9, 0), 欧阳修=(1, 0)),
    )
    with pytest.raises(ValidationError, match="不符"):
        services.close_poll(officer, poll)


def test_another_organizations_poll_is_refused(world, login):
    poll = make_poll(world)
    for name in ("a2_officer", "viewer", "expired", "nobody"):
        intruder = world.users[name]
        with pytest.raises(Poll.DoesNotExist):
            selectors.get_poll(intruder, poll.pk)
        with pytest.raises(PermissionDenied):
            services.record_attendance(intruder, poll, present=10)
        with pytest.raises(PermissionDenied):
            services.enter_ballots(intruder, poll, ["YYY--"])
        with pytest.raises(PermissionDenied):
            make_poll(world, actor=name)
        response = login(intruder).get(f"/api/v1/elections/polls/{poll.pk}")
        assert response.status_code == 404 and "和平" not in response.content.decode()
    # A member of the branch may read, not count.
    member = world.users["a1_member"]
    assert selectors.get_poll(member, poll.pk) == poll
    with pytest.raises(PermissionDenied):
        services.enter_ballots(member, poll, ["YYY--"])
    with pytest.raises(CommandError):
        call_command("elections", "poll", "result", str(poll.pk), "--as", "a2_officer")


def test_polls_from_the_command_line_and_the_api(world, tmp_path, capsys, login):
    call_command(
        "elections",
        "poll",
        "create",
        "--org",
        "A1",
        "--title",
        "第四届支部委员会选举",
        "--seats",
        "2",
        "--entitled",
        "30",
        "--held-on",
        "2026-06-01",
        *[a for n in ("张三", "王五", "李四") for a in ("--candidate", n)],
        "--as",
        "a1_officer",
    )
    assert "选票顺序：王五、李四、张三" in capsys.readouterr().out
    poll = Poll.objects.get(title="第四届支部委员会选举")
    sheet = tmp_path / "batch1.csv"
    sheet.write_text(
        "姓名,赞成,反对,弃权\n张三,12,2,1\n王五,13,1,1\n李四,4,8,3\n另选:赵六,1,,\n",
        encoding="utf-8",
    )
    call_command(
        "elections",
        "poll",
        "enter",
        str(poll.pk),
        str(sheet),
        "--batch",
        "第一组",
        "--ballots",
        "15",
        "--present",
        "28",
        "--issued",
        "28",
        "--returned",
        "28",
        "--as",
        "a1_officer",
    )
    batch2 = tmp_path / "batch2.json"
    batch2.write_text(
        json.dumps(
            {
                "batch": "第二组",
                "ballots": 13,
                "invalid": 1,
                "lines": [
                    {"name": "张三", "for": 10, "against": 2},
                    {"name": "王五", "for": 11, "against": 1},
                    {"name": "李四", "for": 3, "against": 9},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    call_command("elections", "poll", "enter", str(poll.pk), str(batch2), "--as", "a1_officer")
    capsys.readouterr()
    call_command("elections", "poll", "result", str(poll.pk), "--as", "a1_officer")
    out = capsys.readouterr().out
    assert "王五" in out and "当选" in out and "超过实到会有选举权的人数 28 人的半数" in out
    call_command(
        "elections",
        "poll",
        "result",
        str(poll.pk),
        "--close",
        "--format",
        "json",
        "--as",
        "a1_officer",
    )
    data = json.loads(capsys.readouterr().out)
    assert data["declared"] and data["elected"] == ["王五", "张三"]
    api = json.loads(
        login(world.users["a1_member"]).get(f"/api/v1/elections/polls/{poll.pk}").content
    )
    assert [c["name"] for c in api["candidates"]] == ["王五", "李四", "张三"]
    assert api["result"]["elected"] == ["王五", "张三"] and api["status"] == "closed"
    listed = json.loads(
        login(world.users["a1_member"]).get("/api/v1/elections/polls", {"org": "A1"}).content
    )
    assert [p["id"] for p in listed["items"]] == [poll.pk]
    assert (
        login(world.users["a2_officer"]).get("/api/v1/elections/polls", {"org": "A1"}).status_code
        == 404
    )
