"""`jiceng elections …`: terms, polls, ballot sheets, tally entry and results."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from jiceng.access.commands import acting_user, add_as_option, print_json
from jiceng.elections import ballot_pdf, selectors, services
from jiceng.elections.models import Committee, CongressKind, Post, RoundKind
from jiceng.elections.text import committee_label, term_title
from jiceng.kernel.paths import subtree_q
from jiceng.orgs.models import Organization
from jiceng.orgs.selectors import get_visible
from jiceng.people.models import Person

DATE = dt.date.fromisoformat
STATUS = {"elected": "当选", "tied": "须重新投票", "not_elected": "未当选"}
CSV_COLUMNS = {
    "name": ("姓名", "name", "候选人"),
    "for": ("赞成", "for"),
    "against": ("反对", "不赞成", "against"),
    "abstain": ("弃权", "abstain"),
}
WRITE_IN_PREFIXES = ("另选:", "另选：")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for ms in exc.message_dict.values() for m in ms)
    return "；".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Elections: `term start|show|change`, "
        "`poll create|ballots|enter|correct-sheet|correct-ballot|result`, "
        "`case create|approve|nominate|nominations|slate|congress|plenary|next-round|"
        "begin-term|show|report`. Example: jiceng elections poll result 12"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="area", required=True)

        term = sub.add_parser("term", help="terms of office and their officers")
        term_sub = term.add_subparsers(dest="action", required=True)
        start = term_sub.add_parser("start", help="begin a term with its officers")
        start.add_argument("--org", required=True, metavar="CODE")
        start.add_argument("--committee", choices=Committee.values, default=None)
        start.add_argument("--on", type=DATE, required=True, metavar="YYYY-MM-DD")
        start.add_argument("--number", type=int, help="term number (default: the next)")
        start.add_argument(
            "--officer",
            action="append",
            default=[],
            metavar="POST=PERSON",
            help="e.g. 书记=张三 or secretary=42 (person id); repeat for each officer",
        )
        add_as_option(start)
        show = term_sub.add_parser("show", help="an organization's terms and officers")
        show.add_argument("--org", required=True, metavar="CODE")
        show.add_argument("--committee", choices=Committee.values)
        show.add_argument("--format", choices=["text", "json"], default="text")
        add_as_option(show)
        change = term_sub.add_parser(
            "change", help="record an approved postponement or advancement"
        )
        change.add_argument("--org", required=True, metavar="CODE")
        change.add_argument("--committee", choices=Committee.values, default=None)
        change.add_argument("--new-end", type=DATE, required=True, metavar="YYYY-MM-DD")
        change.add_argument("--approved-by", metavar="CODE", help="the approving organization")
        change.add_argument("--document", default="", help="document number of the approval")
        change.add_argument("--approved-on", type=DATE, metavar="YYYY-MM-DD")
        change.add_argument("--reason", default="")
        add_as_option(change)

        poll = sub.add_parser("poll", help="polls, ballot sheets, tallies and results")
        poll_sub = poll.add_subparsers(dest="action", required=True)
        create = poll_sub.add_parser("create", help="a round of voting with its candidates")
        create.add_argument("--org", required=True, metavar="CODE")
        create.add_argument("--title", required=True)
        create.add_argument("--seats", type=int, required=True)
        create.add_argument("--entitled", type=int, required=True, help="entitled to attend")
        create.add_argument("--held-on", type=DATE, default=None, metavar="YYYY-MM-DD")
        create.add_argument("--committee", choices=Committee.values, default="")
        create.add_argument("--candidate", action="append", default=[], metavar="NAME")
        create.add_argument("--after", type=int, metavar="POLL_ID", help="the previous round")
        create.add_argument(
            "--kind", choices=[RoundKind.ADDITIONAL, RoundKind.REVOTE], help="kind of later round"
        )
        create.add_argument("--electronic", action="store_true")
        add_as_option(create)
        ballots = poll_sub.add_parser("ballots", help="the ballot sheet as a PDF")
        ballots.add_argument("poll", type=int, metavar="POLL_ID")
        ballots.add_argument("--pdf", required=True, metavar="FILE")
        ballots.add_argument("--copies", type=int, default=1)
        add_as_option(ballots)
        enter = poll_sub.add_parser(
            "enter", help="attendance figures and/or a tally batch from a CSV or JSON file"
        )
        enter.add_argument("poll", type=int, metavar="POLL_ID")
        enter.add_argument("file", nargs="?", help="CSV (姓名,赞成,反对,弃权) or JSON")
        enter.add_argument("--batch", help="batch name for a CSV file (e.g. 第一计票组)")
        enter.add_argument("--ballots", type=int, help="ballots in the CSV batch")
        enter.add_argument("--invalid", type=int, default=0, help="invalid ballots in the batch")
        enter.add_argument("--present", type=int)
        enter.add_argument("--issued", type=int)
        enter.add_argument("--returned", type=int)
        add_as_option(enter)
        fix_sheet = poll_sub.add_parser(
            "correct-sheet", help="correct a tally batch (every changed figure is kept)"
        )
        fix_sheet.add_argument("poll", type=int, metavar="POLL_ID")
        fix_sheet.add_argument("--batch", required=True, help="the batch's name (e.g. 第一计票组)")
        fix_sheet.add_argument("--reason", required=True, help="why the figures change")
        fix_sheet.add_argument("--ballots", type=int, help="ballots in the batch")
        fix_sheet.add_argument("--invalid", type=int, help="invalid ballots in the batch")
        fix_sheet.add_argument(
            "--line",
            action="append",
            default=[],
            metavar="NAME=FOR[,AGAINST[,ABSTAIN]]",
            help="a candidate's corrected counts (empty parts stay), e.g. 张三=41,3; repeat",
        )
        fix_sheet.add_argument("--format", choices=["text", "json"], default="text")
        add_as_option(fix_sheet)
        fix_ballot = poll_sub.add_parser(
            "correct-ballot", help="put right a paper ballot entered wrongly (old and new kept)"
        )
        fix_ballot.add_argument("poll", type=int, metavar="POLL_ID")
        fix_ballot.add_argument(
            "--old",
            required=True,
            metavar="MARKS",
            help="the marks as entered, e.g. Y-N (or --old=-YN)",
        )
        fix_ballot.add_argument("--old-write-in", action="append", default=[], metavar="NAME")
        fix_ballot.add_argument("--old-void", action="store_true", help="it was entered void")
        fix_ballot.add_argument(
            "--new",
            required=True,
            metavar="MARKS",
            help="the marks as they should be (marks beginning with - as --new=-N)",
        )
        fix_ballot.add_argument("--write-in", action="append", default=[], metavar="NAME")
        fix_ballot.add_argument("--void", action="store_true", help="the ballot is void")
        fix_ballot.add_argument("--reason", required=True)
        add_as_option(fix_ballot)
        result = poll_sub.add_parser("result", help="the result, each candidate explained")
        result.add_argument("poll", type=int, metavar="POLL_ID")
        result.add_argument("--close", action="store_true", help="declare it and end counting")
        result.add_argument("--format", choices=["text", "json"], default="text")
        add_as_option(result)

        case = sub.add_parser("case", help="election cases: request, approvals, list, report")
        case_sub = case.add_subparsers(dest="action", required=True)
        create = case_sub.add_parser("create", help="file the request (请示) for a re-election")
        create.add_argument("--org", required=True, metavar="CODE")
        create.add_argument("--requested-on", type=DATE, required=True, metavar="YYYY-MM-DD")
        create.add_argument("--planned-on", type=DATE, required=True, metavar="YYYY-MM-DD")
        create.add_argument("--last-congress-on", type=DATE, metavar="YYYY-MM-DD")
        create.add_argument("--delegates", type=int, required=True, help="due to attend")
        create.add_argument("--delegate-method", default="")
        create.add_argument("--committee-seats", type=int, required=True)
        create.add_argument("--committee-method", default="")
        create.add_argument("--audit-seats", type=int, default=0)
        create.add_argument("--audit-method", default="")
        create.add_argument("--chairs", type=int, default=1, help="chairs / secretaries")
        create.add_argument("--vice-chairs", type=int, default=0, help="vice-chairs / deputies")
        create.add_argument("--audit-chairs", type=int, default=None)
        create.add_argument("--audit-vice-chairs", type=int, default=0)
        create.add_argument(
            "--proposed",
            action="append",
            default=[],
            metavar="POST=NAMES",
            help="union: officers the Party organization agreed to, e.g. 主席=张三 or "
            "副主席=李四,王五; repeat",
        )
        create.add_argument("--officer-method", default="")
        create.add_argument("--party-org", metavar="CODE", help="union: same-level Party org")
        create.add_argument(
            "--congress-kind", choices=CongressKind.values, default=CongressKind.DELEGATES
        )
        create.add_argument("--congress-number", type=int)
        create.add_argument("--term-number", type=int)
        add_as_option(create)
        approve = case_sub.add_parser("approve", help="record an approval or the list's review")
        approve.add_argument("--case", type=int, required=True, metavar="ID")
        approve.add_argument(
            "--step", required=True, choices=["approve_party", "approve_upper", "review_slate"]
        )
        approve.add_argument("--document", required=True, help="document number of the reply")
        approve.add_argument("--on", type=DATE, default=None, metavar="YYYY-MM-DD")
        approve.add_argument("--note", default="")
        add_as_option(approve)
        slate = case_sub.add_parser("slate", help="propose the candidate list (surplus checked)")
        slate.add_argument("--case", type=int, required=True, metavar="ID")
        for committee in Committee.values:
            slate.add_argument(
                f"--{committee}", default=None, metavar="NAMES", help="names, comma-separated"
            )
        slate.add_argument("--on", type=DATE, default=None, metavar="YYYY-MM-DD")
        add_as_option(slate)
        nominate = case_sub.add_parser(
            "nominate", help="one nominating group's counts (entering a group again replaces it)"
        )
        nominate.add_argument("--case", type=int, required=True, metavar="ID")
        nominate.add_argument("--committee", required=True, choices=Committee.values)
        nominate.add_argument("--group", required=True, help="e.g. 第一代表团")
        nominate.add_argument(
            "--count",
            action="append",
            default=[],
            metavar="NAME=N",
            help="a nominee and the number of nominations, e.g. 张三=35; repeat",
        )
        nominate.add_argument("--on", type=DATE, default=None, metavar="YYYY-MM-DD")
        add_as_option(nominate)
        tallies = case_sub.add_parser("nominations", help="the nominations tallied per nominee")
        tallies.add_argument("--case", type=int, required=True, metavar="ID")
        tallies.add_argument("--format", choices=["text", "json"], default="text")
        add_as_option(tallies)
        congress = case_sub.add_parser(
            "congress",
            help="hold the congress: attendance and quorum; opens one poll per committee",
        )
        congress.add_argument("--case", type=int, required=True, metavar="ID")
        congress.add_argument("--held-on", type=DATE, required=True, metavar="YYYY-MM-DD")
        congress.add_argument("--entitled", type=int, required=True, help="entitled to attend")
        congress.add_argument("--present", type=int, required=True)
        congress.add_argument("--electronic", action="store_true", help="vote electronically")
        congress.add_argument("--format", choices=["text", "json"], default="text")
        add_as_option(congress)
        plenary = case_sub.add_parser(
            "plenary", help="the first plenary meetings: one poll per post among those elected"
        )
        plenary.add_argument("--case", type=int, required=True, metavar="ID")
        plenary.add_argument("--held-on", type=DATE, required=True, metavar="YYYY-MM-DD")
        plenary.add_argument(
            "--post",
            action="append",
            default=[],
            metavar="POST=NAMES",
            help="candidates for a post, e.g. 主席=张三 or vice_chair=李四,王五; repeat",
        )
        plenary.add_argument(
            "--present", action="append", default=[], metavar="POST=N", help="present per post"
        )
        plenary.add_argument("--format", choices=["text", "json"], default="text")
        add_as_option(plenary)
        later = case_sub.add_parser(
            "next-round", help="after a declared round: a revote among the tied, or a further round"
        )
        later.add_argument("--poll", type=int, required=True, metavar="POLL_ID")
        later.add_argument(
            "--kind", required=True, choices=[RoundKind.ADDITIONAL, RoundKind.REVOTE]
        )
        later.add_argument(
            "--candidate", action="append", default=[], metavar="NAME", help="revote: the tied"
        )
        later.add_argument("--seats", type=int, help="default: the seats the round left")
        later.add_argument("--held-on", type=DATE, default=None, metavar="YYYY-MM-DD")
        later.add_argument("--format", choices=["text", "json"], default="text")
        add_as_option(later)
        begin = case_sub.add_parser(
            "begin-term", help="the new term begins with the officers elected (upper level)"
        )
        begin.add_argument("--case", type=int, required=True, metavar="ID")
        begin.add_argument("--starts-on", type=DATE, default=None, metavar="YYYY-MM-DD")
        begin.add_argument(
            "--division",
            action="append",
            default=[],
            metavar="POST=NAME",
            help="Party: division of work, e.g. 组织委员=张三; repeat",
        )
        begin.add_argument("--format", choices=["text", "json"], default="text")
        add_as_option(begin)
        show_case = case_sub.add_parser("show", help="a case: its state, steps and next steps")
        show_case.add_argument("--case", type=int, required=True, metavar="ID")
        add_as_option(show_case)
        report = case_sub.add_parser(
            "report", help="a case's document as .docx: report (default), request or notice"
        )
        report.add_argument("--case", type=int, required=True, metavar="ID")
        report.add_argument("-o", "--output", required=True, metavar="FILE.docx")
        report.add_argument("--kind", choices=["report", "request", "notice"], default="report")
        report.add_argument(
            "--to",
            choices=["upper", "party"],
            default="upper",
            help="request: to the upper level (default) or first to the same-level Party org",
        )
        add_as_option(report)

    def handle(self, *args, area, action, as_user, **options):
        user = acting_user(as_user)
        try:
            getattr(self, f"_{area}_{action.replace('-', '_')}")(user, **options)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "无权办理") from None
        except Organization.DoesNotExist:
            raise CommandError(
                f"没有这个组织，或无权查看：{options.get('org') or options.get('approved_by')}"
            ) from None
        except ObjectDoesNotExist:
            raise CommandError("没有这个记录，或无权查看。") from None

    # -- terms ----------------------------------------------------------------------------

    @staticmethod
    def _committee(org, given):
        return given or (Committee.PARTY if org.tree == "party" else Committee.UNION)

    def _person(self, org, text: str) -> Person:
        people = Person.objects.filter(
            Q(party__org__in=Organization.objects.filter(subtree_q(org.path)))
            | Q(union__org__in=Organization.objects.filter(subtree_q(org.path)))
        )
        found = (
            list(people.filter(pk=int(text))) if text.isdigit() else list(people.filter(name=text))
        )
        if len(found) != 1:
            raise CommandError(
                f"{org.name}没有名为“{text}”的成员"
                if not found
                else f"{org.name}有{len(found)}位“{text}”，请改用人员编号"
            )
        return found[0]

    @staticmethod
    def _post(text: str) -> str:
        for post in Post:
            if text in (post.value, str(post.label)):
                return post.value
        raise CommandError(f"没有这个职务：{text}（可用：{'、'.join(str(p.label) for p in Post)}）")

    def _term_start(self, user, *, org, committee, on, number, officer, **_):
        target = get_visible(user, org)
        officers = []
        for item in officer:
            post, sep, who = item.partition("=")
            if not sep:
                raise CommandError(f"职务和人员之间用等号：{item}")
            officers.append((self._person(target, who.strip()), self._post(post.strip())))
        term = services.start_term(
            user,
            org=target,
            committee=self._committee(target, committee),
            starts_on=on,
            officers=officers,
            number=number,
        )
        self.stdout.write(
            f"{target.name}{term_title(term)}自 {term.starts_on} 起，任期 {term.years} 年，"
            f"至 {term.ends_on} 届满；委员 {len(officers)} 名。"
        )

    def _term_show(self, user, *, org, committee, format, **_):
        target = get_visible(user, org)
        terms = list(selectors.terms_of(user, target, committee))
        if format == "json":
            from jiceng.elections.api import _term

            print_json([{**_term(t), "org": t.org.code} for t in terms])
            return
        if not terms:
            self.stdout.write(f"{target.name}尚无任期记录。")
        for t in terms:
            end = f"{t.ended_on}（已换届）" if t.ended_on else f"{t.ends_on} 届满"
            self.stdout.write(f"{term_title(t)}：{t.starts_on} 至 {end}，{t.get_status_display()}")
            for o in t.officers.all():
                until = f" 至 {o.last_day}" if o.last_day else ""
                self.stdout.write(
                    f"  {o.get_post_display()}：{o.person.name}（{o.valid_from} 起{until}）"
                )
            for c in t.changes.all():
                self.stdout.write(
                    f"  {c.get_kind_display()}：{c.old_end} → {c.new_end}，{c.approved_by.name}"
                    f" {c.document_number}（{c.approved_on}）"
                )

    def _term_change(
        self, user, *, org, committee, new_end, approved_by, document, approved_on, reason, **_
    ):
        target = get_visible(user, org)
        term = (
            selectors.terms_of(user, target, self._committee(target, committee))
            .filter(status="current")
            .first()
        )
        if term is None:
            raise CommandError(f"{target.name}没有在任的委员会。")
        approver = Organization.objects.get(code=approved_by) if approved_by else None
        change = services.change_term_end(
            user,
            term,
            new_end=new_end,
            approved_by=approver,
            document_number=document,
            approved_on=approved_on,
            reason=reason,
        )
        self.stdout.write(
            f"{term_title(term)}任期届满日由 {change.old_end} 改为 {change.new_end}"
            f"（{change.get_kind_display()}，{approver.name} {change.document_number}）。"
        )

    # -- polls ----------------------------------------------------------------------------

    def _poll_create(
        self,
        user,
        *,
        org,
        title,
        seats,
        entitled,
        held_on,
        committee,
        candidate,
        after,
        kind,
        electronic,
        **_,
    ):
        target = get_visible(user, org)
        parent = selectors.get_poll(user, after) if after else None
        poll = services.create_poll(
            user,
            org=target,
            title=title,
            seats=seats,
            entitled=entitled,
            held_on=held_on or timezone.localdate(),
            candidates=candidate,
            committee=committee,
            parent=parent,
            kind=kind or RoundKind.FIRST,
            electronic=electronic,
        )
        names = "、".join(c.name for c in selectors.ballot_sheet(poll))
        self.stdout.write(
            f"已建立投票 {poll.pk}：{poll.title}，应选 {poll.seats} 名。选票顺序：{names}"
        )

    def _poll_ballots(self, user, *, poll, pdf, copies, **_):
        found = selectors.get_poll(user, poll)
        Path(pdf).write_bytes(
            ballot_pdf.render(found, selectors.ballot_sheet(found), copies=copies)
        )
        self.stdout.write(f"已写入 {pdf}（{max(1, copies)} 张选票）")

    def _poll_enter(
        self, user, *, poll, file, batch, ballots, invalid, present, issued, returned, **_
    ):
        found = selectors.get_poll(user, poll)
        batches, papers, figures = [], [], {}
        if file:
            text = Path(file).read_text(encoding="utf-8-sig")
            if file.lower().endswith(".json"):
                batches, papers, figures = self._from_json(json.loads(text))
            else:
                if not batch or ballots is None:
                    raise CommandError("CSV 文件需要 --batch 批次名称 和 --ballots 选票张数")
                batches = [
                    {
                        "label": batch,
                        "ballots": ballots,
                        "invalid": invalid,
                        "lines": self._from_csv(text),
                    }
                ]
        for name, value in (("present", present), ("issued", issued), ("returned", returned)):
            if value is not None:
                figures[name] = value
        if not (batches or papers or figures):
            raise CommandError("没有要登记的内容：给出文件，或 --present/--issued/--returned")
        if figures:
            services.record_attendance(user, found, **figures)
            self.stdout.write("已登记：" + "，".join(f"{k}={v}" for k, v in figures.items()))
        for b in batches:
            sheet = services.enter_sheet(user, found, **b)
            self.stdout.write(
                f"已录入计票批次“{sheet.label}”：选票 {sheet.ballots} 张，无效 {sheet.invalid} 张"
            )
        if papers:
            n = services.enter_ballots(user, found, papers)
            self.stdout.write(f"已逐张录入选票 {n} 张")

    @staticmethod
    def _from_json(data):
        items = data if isinstance(data, list) else [data]
        batches, papers, figures = [], [], {}
        for item in items:
            if not isinstance(item, dict):
                raise CommandError("JSON 须为对象或对象列表")
            for key in ("present", "issued", "returned"):
                if key in item:
                    figures[key] = item[key]
            if "lines" in item:
                batches.append(
                    {
                        "label": item.get("batch") or item.get("label", ""),
                        "ballots": item.get("ballots", 0),
                        "invalid": item.get("invalid", 0),
                        "lines": item["lines"],
                    }
                )
            papers += item.get("individual_ballots", [])
        return batches, papers, figures

    @staticmethod
    def _from_csv(text: str) -> list[dict]:
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            raise CommandError("CSV 文件是空的")
        header = [h.strip() for h in rows[0]]
        where = {}
        for key, names in CSV_COLUMNS.items():
            for i, h in enumerate(header):
                if h in names:
                    where[key] = i
        if "name" not in where or "for" not in where:
            raise CommandError("CSV 第一行须有列名：姓名,赞成,反对,弃权")
        lines = []
        for row in rows[1:]:
            if not any(cell.strip() for cell in row):
                continue
            cell = {k: (row[i].strip() if i < len(row) else "") for k, i in where.items()}
            entry = {k: int(v) for k, v in cell.items() if k != "name" and v}
            name = cell["name"]
            prefix = next((p for p in WRITE_IN_PREFIXES if name.startswith(p)), None)
            if prefix:
                entry["write_in"] = name[len(prefix) :]
            else:
                entry["name"] = name
            lines.append(entry)
        return lines

    def _poll_result(self, user, *, poll, close, format, **_):
        found = selectors.get_poll(user, poll)
        if close:
            services.close_poll(user, found)
            found = selectors.get_poll(user, poll)
        data = selectors.result(user, found)
        if format == "json":
            from jiceng.elections.api import _named

            print_json({"poll": found.pk, "title": found.title, **_named(data)})
            return
        state = "已宣布" if data["declared"] else "计票中（未宣布）"
        self.stdout.write(
            f"{found.org.name} {found.title}（第{found.round}轮，应选 {found.seats} 名）：{state}"
        )
        for text in data["summary"]:
            self.stdout.write(f"  {text}")
        for line in data["lines"]:
            tag = "（另选）" if line["write_in"] else ""
            self.stdout.write(
                f"  {line['name']}{tag}  赞成 {line['for_votes']}  反对 {line['against']}  "
                f"弃权 {line['abstain']}  {STATUS[line['status']]}：{line['reason']}"
            )

    # -- election cases -------------------------------------------------------------------

    def _case_create(self, user, **o):
        target = get_visible(user, o["org"], "manage")
        party = None
        if o["party_org"]:
            party = Organization.objects.filter(code=o["party_org"]).first()
            if party is None:
                raise CommandError(f"没有这个组织：{o['party_org']}")
        proposed = {}
        for item in o["proposed"]:
            key, names = self._pair(item, "职务和拟定人选")
            proposed.setdefault(self._post(key), []).extend(self._names(names))
        case = services.file_request(
            user,
            org=target,
            requested_on=o["requested_on"],
            planned_on=o["planned_on"],
            last_congress_on=o["last_congress_on"],
            delegates=o["delegates"],
            delegate_method=o["delegate_method"],
            committee_seats=o["committee_seats"],
            committee_method=o["committee_method"],
            audit_seats=o["audit_seats"],
            audit_method=o["audit_method"],
            chair_posts=o["chairs"],
            vice_chair_posts=o["vice_chairs"],
            audit_chair_posts=o["audit_chairs"],
            audit_vice_chair_posts=o["audit_vice_chairs"],
            proposed_officers=proposed,
            officer_method=o["officer_method"],
            party_org=party,
            congress_kind=o["congress_kind"],
            congress_number=o["congress_number"],
            term_number=o["term_number"],
        )
        self.stdout.write(
            f"已登记换届选举案 {case.pk}：{target.name}第{case.term_number}届，"
            f"拟于 {case.planned_on} 召开大会；请示报送：{self._route(case)}。"
        )

    @staticmethod
    def _route(case) -> str:
        if case.party_org:
            return f"{case.party_org.name} → {case.upper_org.name}"
        return case.upper_org.name

    def _case_approve(self, user, *, case, step, document, on, note, **_):
        found = selectors.get_case(user, case)
        taken = services.approve(
            user, found, step, on=on or timezone.localdate(), document_number=document, note=note
        )
        found.refresh_from_db()
        self.stdout.write(
            f"已记录 {taken.approved_by.name} {taken.document_number}（{taken.on}）；"
            f"换届选举案 {found.pk} 现为“{found.get_state_display()}”。"
        )

    def _case_slate(self, user, *, case, on, **o):
        found = selectors.get_case(user, case)
        from jiceng.elections.cases import committees_of

        slates, problems = {}, []
        for committee in committees_of(found):
            text = o.get(committee) or ""
            names = [n.strip() for n in text.replace("，", ",").replace("、", ",").split(",")]
            people, missing = selectors.eligible_people(found, [n for n in names if n])
            problems += missing
            slates[committee] = people
        if problems:
            raise CommandError("；".join(problems))
        services.propose_slate(user, found, slates=slates, on=on or timezone.localdate())
        for s in selectors.slate_check(found, on=on):
            label = committee_label(found.org.kind, s.committee)
            self.stdout.write(
                f"{label}：应选 {s.seats} 名，候选人 {s.candidates} 名，"
                f"差额 {s.surplus} 名（{s.actual_percent}，须至少 {s.required} 名）"
            )

    def _case_show(self, user, *, case, **_):
        found = selectors.get_case(user, case)
        from jiceng.elections.cases import step_label

        self.stdout.write(f"{found.org.name} 换届选举案 {found.pk}：{found.get_state_display()}")
        for s in selectors.case_timeline(found):
            by = f" {s.approved_by.name} {s.document_number}" if s.approved_by_id else ""
            self.stdout.write(f"  {s.on} {step_label(found, s.step)}{by}")
        for s in selectors.case_steps(user, found):
            state = "可办理" if s["possible"] else "；".join(r.message for r in s["refusals"])
            self.stdout.write(f"  下一步：{s['label']}：{state}")

    def _case_report(self, user, *, case, output, kind, to, **_):
        from jiceng.elections import documents

        found = selectors.get_case(user, case)
        if kind != "request" and not documents.report_ready(found):
            raise CommandError("首次全体会议的选举结果尚未全部宣布，还不能生成选举结果的报告。")
        make = documents.DOCUMENTS[kind][0]
        if kind == "request":
            if to == "party" and found.party_org is None:
                raise CommandError(
                    f"{found.org.name}的请示只报{found.upper_org.name}，没有本级党组织这一步。"
                )
            make(found, to=to).save(output)
        else:
            make(found).save(output)
        self.stdout.write(f"已写入 {output}")

    # -- the case's later steps -----------------------------------------------------------

    @staticmethod
    def _pair(item: str, what: str) -> tuple[str, str]:
        left, sep, right = item.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise CommandError(f"{what}之间用等号：{item}")
        return left.strip(), right.strip()

    @staticmethod
    def _names(text: str) -> list[str]:
        from jiceng.elections.forms import split_names

        return split_names(text)

    @staticmethod
    def _poll_data(p) -> dict:
        from jiceng.elections.api import _poll

        return {
            **_poll(p),
            "org": p.org.code,
            "committee": p.committee,
            "post": p.post,
            "candidates": [c.name for c in selectors.ballot_sheet(p)],
        }

    def _write_polls(self, polls, format, heading: str) -> None:
        if format == "json":
            print_json([self._poll_data(p) for p in polls])
            return
        self.stdout.write(heading)
        for p in polls:
            names = "、".join(c.name for c in selectors.ballot_sheet(p))
            self.stdout.write(f"  投票 {p.pk}：{p.title}，应选 {p.seats} 名；候选人：{names}")

    def _case_nominate(self, user, *, case, committee, group, count, on, **_):
        found = selectors.get_case(user, case)
        counts = []
        for item in count:
            name, votes = self._pair(item, "姓名和提名人数")
            if not votes.isdigit():
                raise CommandError(f"提名人数须为整数：{item}")
            counts.append((name, int(votes)))
        n = services.record_nominations(
            user, found, committee=committee, group=group, counts=counts, on=on
        )
        label = committee_label(found.org.kind, committee)
        self.stdout.write(f"已登记“{group}”对{label}的提名 {n} 人。")
        self._write_tallies(found, [committee])

    def _write_tallies(self, case, committees) -> None:
        tallies = selectors.nomination_tallies(case)
        for committee in committees:
            self.stdout.write(f"{committee_label(case.org.kind, committee)}提名汇总：")
            for t in tallies.get(committee, []):
                groups = "，".join(f"{g} {n}" for g, n in t["groups"].items())
                self.stdout.write(f"  {t['name']}  {t['total']}（{groups}）")

    def _case_nominations(self, user, *, case, format, **_):
        from jiceng.elections.cases import committees_of

        found = selectors.get_case(user, case)
        if format == "json":
            print_json({"case": found.pk, "tallies": selectors.nomination_tallies(found)})
            return
        self._write_tallies(found, committees_of(found))

    def _case_congress(self, user, *, case, held_on, entitled, present, electronic, format, **_):
        found = selectors.get_case(user, case)
        polls = services.hold_congress(
            user, found, held_on=held_on, entitled=entitled, present=present, electronic=electronic
        )
        self._write_polls(
            polls,
            format,
            f"{found.org.name}大会于 {held_on} 召开：应到 {entitled} 名，实到 {present} 名。"
            f"已开始投票：",
        )

    def _case_plenary(self, user, *, case, held_on, post, present, format, **_):
        found = selectors.get_case(user, case)
        candidates, figures = {}, {}
        for item in post:
            key, names = self._pair(item, "职务和候选人")
            candidates[self._post(key)] = self._names(names)
        for item in present:
            key, number = self._pair(item, "职务和到会人数")
            if not number.isdigit():
                raise CommandError(f"到会人数须为整数：{item}")
            figures[self._post(key)] = int(number)
        polls = services.hold_plenary(
            user, found, held_on=held_on, candidates=candidates, present=figures or None
        )
        self._write_polls(polls, format, f"首次全体会议于 {held_on} 召开，已开始投票：")

    def _case_next_round(self, user, *, poll, kind, candidate, seats, held_on, format, **_):
        found = selectors.get_poll(user, poll)
        later = services.next_round(
            user, found, kind=kind, candidates=candidate, seats=seats, held_on=held_on
        )
        self._write_polls(
            [later], format, f"已开始第{later.round}轮（{later.get_kind_display()}）："
        )

    def _case_begin_term(self, user, *, case, starts_on, division, format, **_):
        found = selectors.get_case(user, case)
        divisions = {}
        for item in division:
            key, name = self._pair(item, "分工和姓名")
            divisions[self._post(key)] = name
        terms = services.begin_term(user, found, starts_on=starts_on, divisions=divisions)
        terms = [selectors.get_term(user, t.pk) for t in terms]
        if format == "json":
            from jiceng.elections.api import _term

            print_json([{**_term(t), "org": t.org.code} for t in terms])
            return
        for t in terms:
            posts = "、".join(
                f"{o.get_post_display()} {o.person.name}"
                for o in t.officers.select_related("person").order_by("pk")
            )
            self.stdout.write(
                f"{t.org.name}{term_title(t)}自 {t.starts_on} 起，至 {t.ends_on} 届满：{posts}"
            )

    # -- corrections ----------------------------------------------------------------------

    SHEET_FIELDS = {
        "ballots": "选票张数",
        "invalid": "无效票",
        "for_votes": "赞成",
        "against": "不赞成",
        "abstain": "弃权",
    }

    def _poll_correct_sheet(
        self, user, *, poll, batch, reason, ballots, invalid, line, format, **_
    ):
        from jiceng.elections.models import TallySheet

        found = selectors.get_poll(user, poll, "manage")
        sheet = TallySheet.objects.filter(poll=found, label=batch.strip()).first()
        if sheet is None:
            raise CommandError(f"投票 {found.pk} 没有计票批次“{batch}”")
        lines = []
        for item in line:
            name, numbers = self._pair(item, "姓名和票数")
            parts = [p.strip() for p in numbers.replace("，", ",").split(",")]
            if len(parts) > 3 or not all(p == "" or p.isdigit() for p in parts):
                raise CommandError(f"票数依次写作 赞成,反对,弃权（可留空）：{item}")
            entry = {"name": name}
            for key, value in zip(("for", "against", "abstain"), parts, strict=False):
                if value:
                    entry[key] = int(value)
            lines.append(entry)
        changes = services.correct_sheet(
            user, sheet, reason=reason, ballots=ballots, invalid=invalid, lines=lines
        )
        rows = [
            {
                "name": (c.line.candidate.name if c.line.candidate_id else c.line.write_in)
                if c.line
                else "",
                "field": c.field,
                "old": c.old,
                "new": c.new,
                "reason": c.reason,
            }
            for c in changes
        ]
        if format == "json":
            print_json({"poll": found.pk, "batch": sheet.label, "corrections": rows})
            return
        self.stdout.write(f"已更正计票批次“{sheet.label}”{len(rows)} 项（{reason.strip()}）：")
        for r in rows:
            what = f"{r['name']} " if r["name"] else ""
            self.stdout.write(f"  {what}{self.SHEET_FIELDS[r['field']]}：{r['old']} → {r['new']}")

    def _poll_correct_ballot(
        self, user, *, poll, old, old_write_in, old_void, new, write_in, void, reason, **_
    ):
        found = selectors.get_poll(user, poll, "manage")
        marks = "".join(old.split()).upper()
        written = ["".join(n.split()) for n in old_write_in if n.strip()]
        ballot_id = selectors.matching_ballot(found, marks=marks, void=old_void, write_ins=written)
        if ballot_id is None:
            raise CommandError(f"投票 {found.pk} 没有按“{marks}”录入的选票")
        fix = services.correct_ballot(
            user, found, ballot_id, marks=new, write_ins=write_in, void=void, reason=reason
        )
        self.stdout.write(f"已更正一张选票：{fix.old_marks} → {fix.new_marks}（{fix.reason}）")
