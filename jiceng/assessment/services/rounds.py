"""Every write of an assessment: schemes and their versions, rounds, self-assessment, review,
publicity and objections, the final grades and what follows from them (rectification plans,
the “consider replacing the leader” flag). Each function takes the acting user first, checks
`permissions`, runs in one transaction and appends an audit event."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import record
from jiceng.kernel.figures import period_end
from jiceng.kernel.paths import subtree_q
from jiceng.kernel.workdays import add_working_days
from jiceng.kernel.workflow import Context
from jiceng.orgs.models import Organization
from jiceng.policy.selectors import value as policy_value

from .. import evidence, flows, grading, permissions, selectors
from ..models import (
    Block,
    Clause,
    ClauseKind,
    Cycle,
    Entry,
    EntryState,
    Evidence,
    LeaderFlag,
    Method,
    Objection,
    Rectification,
    Round,
    RoundState,
    Scheme,
    Score,
)

MAX_TEXT = 4000
IDS_PER_UPDATE = 900  # below SQLite's smallest limit of parameters per statement


def _today() -> dt.date:
    return timezone.localdate()


def _text(value, field: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": MAX_TEXT}})
    return text


def _points(value, field: str, most: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        points = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number of points.")}) from None
    if points < 0 or (most is not None and points > most):
        raise ValidationError({field: _("Points must be between 0 and %(most)s.") % {"most": most}})
    return points


# -- schemes ---------------------------------------------------------------------------------


def _clean_blocks(blocks: list[dict]) -> list[dict]:
    """Check a scheme's blocks and clauses as typed or imported; numbers them in order."""
    if not blocks:
        raise ValidationError({"blocks": _("A scheme needs at least one block of clauses.")})
    cleaned = []
    for b_no, block in enumerate(blocks, 1):
        title = _text(block.get("title"), "blocks")
        clauses = []
        for c_no, c in enumerate(block.get("clauses") or [], 1):
            where = _("Block %(b)s, clause %(c)s") % {"b": b_no, "c": c_no}
            veto = bool(c.get("veto"))
            points = _points(c.get("points") or 0, "blocks") or Decimal(0)
            if veto and points:
                raise ValidationError(
                    {"blocks": _("%(where)s: a veto item carries no points.") % {"where": where}}
                )
            source = c.get("evidence") or ""
            if source and source not in evidence.SOURCES:
                raise ValidationError(
                    {
                        "blocks": _("%(where)s: unknown figure “%(key)s”.")
                        % {"where": where, "key": source}
                    }
                )
            if source and veto:
                raise ValidationError(
                    {
                        "blocks": _("%(where)s: a veto item is not filled from a figure.")
                        % {"where": where}
                    }
                )
            kind = c.get("kind") or (ClauseKind.QUANTITATIVE if source else ClauseKind.QUALITATIVE)
            method = c.get("method") or Method.SELF
            if kind not in ClauseKind.values or method not in Method.values:
                raise ValidationError(
                    {"blocks": _("%(where)s: unknown kind or method.") % {"where": where}}
                )
            clauses.append(
                {
                    "text": _text(c.get("text"), "blocks"),
                    "points": points,
                    "kind": kind,
                    "method": method,
                    "veto": veto,
                    "evidence": source,
                }
            )
        if not clauses:
            raise ValidationError(
                {"blocks": _("Block “%(title)s” has no clauses.") % {"title": title}}
            )
        cleaned.append({"title": title, "clauses": clauses})
    return cleaned


@transaction.atomic
def save_scheme(
    actor,
    org: Organization,
    *,
    code: str,
    name: str,
    cycle: str,
    blocks: list,
    org_kinds: list | None = None,
) -> Scheme:
    """A new scheme, or the next version of the scheme `code` of `org` (a published version
    is never changed: rounds opened with it keep it)."""
    permissions.require_run(actor, org)
    if cycle not in Cycle.values:
        raise ValidationError({"cycle": _("Choose half-year or year-end.")})
    cleaned = _clean_blocks(blocks)
    latest = (
        Scheme.objects.select_for_update().filter(org=org, code=code).order_by("-version").first()
    )
    if latest is not None and not latest.is_published:
        latest.blocks.all().delete()  # an unpublished draft is replaced in place
        scheme = latest
        scheme.name, scheme.cycle = _text(name, "name"), cycle
        scheme.org_kinds = org_kinds or scheme.org_kinds
        scheme.save()
    else:
        scheme = Scheme.objects.create(
            org=org,
            code=_text(code, "code"),
            name=_text(name, "name"),
            cycle=cycle,
            version=(latest.version + 1) if latest else 1,
            created_by=actor,
            org_kinds=org_kinds or list(policy_value("assessment.org_kinds", org)),
        )
    for b_no, block in enumerate(cleaned, 1):
        b = Block.objects.create(scheme=scheme, number=b_no, title=block["title"])
        Clause.objects.bulk_create(
            Clause(block=b, number=c_no, **c) for c_no, c in enumerate(block["clauses"], 1)
        )
    record(
        actor,
        "assessment.scheme.save",
        scheme,
        org=org,
        after={
            "code": scheme.code,
            "version": scheme.version,
            "total": str(selectors.scheme_total(scheme)),
        },
    )
    return scheme


@transaction.atomic
def publish_scheme(actor, scheme: Scheme, on: dt.date | None = None) -> Scheme:
    permissions.require_run(actor, scheme.org)
    if scheme.is_published:
        raise ValidationError(_("This version is already published."))
    scheme.published_on = on or _today()
    scheme.save(update_fields=["published_on"])
    record(
        actor,
        "assessment.scheme.publish",
        scheme,
        org=scheme.org,
        after={"version": scheme.version},
    )
    return scheme


# -- rounds ----------------------------------------------------------------------------------


def _check_period(scheme: Scheme, period: str) -> dt.date:
    try:
        end = period_end(period)
    except ValueError as e:
        raise ValidationError({"period": str(e)}) from None
    half = len(period) == 6 and period[4] == "H"
    if (scheme.cycle == Cycle.HALF_YEAR) != half or len(period) not in (4, 6):
        raise ValidationError(
            {
                "period": _(
                    "A half-year scheme is opened for 2026H1 or 2026H2, a year-end scheme "
                    "for a year such as 2026."
                )
            }
        )
    return end


def _assessed_orgs(round_: Round, start: dt.date, end: dt.date):
    return (
        Organization.objects.filter(subtree_q(round_.org.path), kind__in=round_.scheme.org_kinds)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=end))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))
        .order_by("path")
    )


@transaction.atomic
def open_round(
    actor, scheme: Scheme, org: Organization, period: str, on: dt.date | None = None
) -> Round:
    """Open `scheme` (this version) for every organization of `org`'s subtree of the kinds it
    assesses; clauses bound to figures are filled in from the records."""
    permissions.require_run(actor, org)
    on = on or _today()
    if not scheme.is_published:
        raise ValidationError(_("Publish the scheme before opening a round with it."))
    if not org.path.startswith(scheme.org.path):
        raise ValidationError({"org": _("The scheme does not cover this organization.")})
    end = _check_period(scheme, period)
    if Round.objects.filter(
        scheme__org=scheme.org, scheme__code=scheme.code, org=org, period=period
    ).exists():
        raise ValidationError({"period": _("A round of this scheme for this period is open.")})
    days = int(policy_value("assessment.self.days", org, on))
    round_ = Round.objects.create(
        scheme=scheme,
        org=org,
        period=period,
        opened_on=on,
        self_due=on + dt.timedelta(days=days),
        opened_by=actor,
    )
    start = selectors.period_start(period)
    entries = Entry.objects.bulk_create(
        Entry(round=round_, org=o) for o in _assessed_orgs(round_, start, end)
    )
    if not entries:
        raise ValidationError(
            {
                "org": _(
                    "No organization of this subtree is assessed by this scheme (kinds: %(kinds)s)."
                )
                % {"kinds": "、".join(scheme.org_kinds)}
            }
        )
    _create_scores(round_)
    _fill_evidence(actor, round_, min(on, end))
    record(
        actor,
        "assessment.round.open",
        round_,
        org=org,
        after={
            "scheme": scheme.pk,
            "version": scheme.version,
            "period": period,
            "organizations": len(entries),
        },
    )
    return round_


def _create_scores(round_: Round) -> None:
    """An empty score for every clause of every entry, in one INSERT … SELECT: a city round is
    hundreds of thousands of rows, which one statement writes in seconds."""
    score, entry, clause, block = (m._meta.db_table for m in (Score, Entry, Clause, Block))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {score} (entry_id, clause_id, self_note, override_reason, "
            f"review_reason) SELECT e.id, c.id, '', '', '' FROM {entry} e, {clause} c "
            f"JOIN {block} b ON b.id = c.block_id WHERE e.round_id = %s AND b.scheme_id = %s",
            [round_.pk, round_.scheme_id],
        )


def _fill_evidence(actor, round_: Round, on: dt.date) -> int:
    """Fill every figure-bound clause of every organization of the round as of `on`, a few
    queries per figure for the whole subtree. Returns the number of scores whose figure
    changed (and were written)."""
    bound = list(Clause.objects.filter(block__scheme=round_.scheme).exclude(evidence=""))
    if not bound:
        return 0
    start, end = selectors.period_start(round_.period), period_end(round_.period)
    empty_full = policy_value("assessment.evidence.no_figure", round_.org, on) == "full"
    keys = sorted({c.evidence for c in bound})
    figures = evidence.compute_all(actor, round_.org, keys, start, end, on)
    org_of = dict(round_.entries.values_list("id", "org_id"))
    scores = Score.objects.filter(entry__round=round_, clause__in=bound).values_list(
        "id", "entry_id", "clause_id", "auto_points", "auto_numerator", "auto_denominator"
    )
    by_clause = {c.pk: c for c in bound}
    # Only scores whose figure changed are written, those getting the same values by one
    # UPDATE … WHERE id IN (…): far fewer distinct values than organizations, and much
    # cheaper than bulk_update's CASE per row.
    same: dict[tuple, list[int]] = defaultdict(list)
    for score_id, entry_id, clause_id, *before in scores.iterator(chunk_size=2000):
        clause = by_clause[clause_id]
        figure = figures[clause.evidence].get(org_of[entry_id])
        points = evidence.points_for(clause.points, figure)
        if points is None and empty_full:
            points = clause.points
        values = (points, *((figure.numerator, figure.denominator) if figure else (None, None)))
        if values != tuple(before):
            same[values].append(score_id)
    for (points, numerator, denominator), ids in same.items():
        for at in range(0, len(ids), IDS_PER_UPDATE):
            Score.objects.filter(pk__in=ids[at : at + IDS_PER_UPDATE]).update(
                auto_points=points, auto_numerator=numerator, auto_denominator=denominator
            )
    return sum(map(len, same.values()))


@transaction.atomic
def refresh_evidence(actor, round_: Round, on: dt.date | None = None) -> int:
    """Read the figures again (as of the period end, or today while it runs)."""
    permissions.require_run(actor, round_.org)
    if round_.state != RoundState.OPEN:
        raise ValidationError(_("The figures are fixed once the review has started."))
    n = _fill_evidence(actor, round_, min(on or _today(), period_end(round_.period)))
    record(actor, "assessment.round.refresh", round_, org=round_.org, after={"scores": n})
    return n


def _take(actor, round_: Round, key: str, on: dt.date) -> None:
    step = flows.ROUND.require(key, round_.state, Context(round_, on))
    before = round_.state
    round_.state = step.to_state
    round_.save()
    record(
        actor,
        f"assessment.round.{key}",
        round_,
        org=round_.org,
        before={"state": before},
        after={"state": round_.state, "on": str(on)},
    )


@transaction.atomic
def start_review(actor, round_: Round, on: dt.date | None = None) -> Round:
    """Self-assessment closes; the figures are read a last time as of the period end."""
    permissions.require_run(actor, round_.org)
    on = on or _today()
    _fill_evidence(actor, round_, min(on, period_end(round_.period)))
    round_.review_from = on
    _take(actor, round_, "review", on)
    return round_


@transaction.atomic
def publish_results(actor, round_: Round, on: dt.date | None = None) -> Round:
    """The reviewed results go up for publicity (公示) for the policy number of working days."""
    permissions.require_run(actor, round_.org)
    on = on or _today()
    days = int(policy_value("assessment.publicity.working_days", round_.org, on))
    round_.publicity_from = on
    round_.publicity_until = add_working_days(on, days)
    _take(actor, round_, "publish", on)
    return round_


@transaction.atomic
def finalize_round(actor, round_: Round, on: dt.date | None = None) -> Round:
    """The grades become final; what follows from them is set in motion (rectification plans,
    leader flags)."""
    permissions.require_run(actor, round_.org)
    on = on or _today()
    round_.final_on = on
    _take(actor, round_, "finalize", on)
    for entry in round_.entries.select_related("org"):
        _consequences(actor, entry, on)
    return round_


def _consequences(actor, entry: Entry, on: dt.date) -> None:
    org = entry.round.org
    if entry.grade in policy_value("assessment.rectification.grades", org, on):
        days = int(policy_value("assessment.rectification.plan_days", org, on))
        Rectification.objects.create(entry=entry, due=on + dt.timedelta(days=days))
    previous = selectors.previous_low_results(entry, on)
    if previous is not None:
        flag = LeaderFlag.objects.create(entry=entry, previous=previous)
        record(
            actor,
            "assessment.leader_flag.raise",
            flag,
            org=entry.org,
            after={"entry": entry.pk, "previous": previous.pk},
        )


# -- an organization's scores ----------------------------------------------------------------


def _scores(entry: Entry) -> dict[int, Score]:
    return {s.clause_id: s for s in entry.scores.select_related("clause").select_for_update()}


@transaction.atomic
def self_assess(
    actor, entry: Entry, answers: dict, *, submit: bool = False, on: dt.date | None = None
) -> Entry:
    """Save the organization's own points (`answers`: clause id → {points, note,
    override_reason, veto}); `submit` hands the self-assessment in. A figure-bound clause may
    differ from the records only with a reason, and both numbers are kept and logged."""
    permissions.require_self_assess(actor, entry)
    entry = Entry.objects.select_for_update().select_related("round").get(pk=entry.pk)
    if entry.round.state != RoundState.OPEN or entry.state == EntryState.REVIEWED:
        raise ValidationError(_("The self-assessment of this round is closed."))
    if entry.state == EntryState.SUBMITTED:
        raise ValidationError(
            _("The self-assessment was handed in; ask the upper level to return it.")
        )
    scores = _scores(entry)
    overrides = []
    for clause_id, answer in answers.items():
        score = scores.get(int(clause_id))
        if score is None:
            raise ValidationError(_("Unknown clause %(id)s.") % {"id": clause_id})
        clause = score.clause
        field = f"points_{clause.pk}"
        if clause.veto:
            score.self_veto = bool(answer.get("veto"))
        else:
            score.self_points = _points(answer.get("points"), field, clause.points)
        score.self_note = _text(answer.get("note"), field, required=False)
        reason = _text(answer.get("override_reason"), field, required=False)
        differs = (
            score.auto_points is not None
            and score.self_points is not None
            and score.self_points != score.auto_points
        )
        if differs and not reason:
            raise ValidationError(
                {
                    field: _(
                        "“%(clause)s” was filled from the records (%(auto)s points); give the reason "
                        "for %(points)s points."
                    )
                    % {
                        "clause": clause.text[:40],
                        "auto": score.auto_points,
                        "points": score.self_points,
                    }
                }
            )
        score.override_reason = reason if differs else ""
        if differs:
            overrides.append(
                {
                    "clause": clause.pk,
                    "auto": str(score.auto_points),
                    "points": str(score.self_points),
                    "reason": reason,
                }
            )
    Score.objects.bulk_update(
        scores.values(), ["self_points", "self_note", "override_reason", "self_veto"]
    )
    for o in overrides:
        record(actor, "assessment.score.override", entry, org=entry.org, after=o)
    if submit:
        missing = [
            s.clause
            for s in scores.values()
            if not s.clause.veto and s.self_points is None and s.auto_points is None
        ]
        if missing:
            raise ValidationError(
                _("Score every clause before handing in: %(list)s.")
                % {"list": "；".join(c.text[:20] for c in missing[:5])}
            )
        entry.state, entry.submitted_on = EntryState.SUBMITTED, on or _today()
    entry.self_total = grading.total(scores.values(), own=True)
    entry.save()
    after = {"self_total": str(entry.self_total)}
    if submit:
        record(actor, "assessment.entry.submit", entry, org=entry.org, after=after)
    else:
        record(actor, "assessment.entry.self_assess", entry, org=entry.org, after=after)
    return entry


@transaction.atomic
def return_entry(actor, entry: Entry, reason: str) -> Entry:
    """The upper level hands a submitted self-assessment back to be corrected."""
    permissions.require_review(actor, entry)
    if entry.round.state != RoundState.OPEN or entry.state != EntryState.SUBMITTED:
        raise ValidationError(_("Only a handed-in self-assessment of an open round is returned."))
    entry.state, entry.review_note = EntryState.PENDING, _text(reason, "reason")
    entry.save(update_fields=["state", "review_note"])
    record(actor, "assessment.entry.return", entry, org=entry.org, after={"reason": reason})
    return entry


@transaction.atomic
def review_entry(
    actor, entry: Entry, answers: dict, *, note: str = "", on: dt.date | None = None
) -> Entry:
    """The reviewers' points (`answers`: clause id → {points, veto, reason}); a change from
    what the organization gave needs a reason. Sets the total, the veto and the grade. During
    publicity it is how an upheld objection changes a result."""
    permissions.require_review(actor, entry)
    entry = Entry.objects.select_for_update().select_related("round", "org").get(pk=entry.pk)
    if entry.round.state not in (RoundState.REVIEW, RoundState.PUBLICITY):
        raise ValidationError(
            _("Results are reviewed after self-assessment and before they are final.")
        )
    on = on or _today()
    scores = _scores(entry)
    changes = []
    for clause_id, answer in answers.items():
        score = scores.get(int(clause_id))
        if score is None:
            raise ValidationError(_("Unknown clause %(id)s.") % {"id": clause_id})
        clause, field = score.clause, f"points_{clause_id}"
        reason = _text(answer.get("reason"), field, required=False)
        if clause.veto:
            veto = answer.get("veto")
            new, old = (None if veto is None else bool(veto)), bool(score.self_veto)
            score.review_veto = new
            differs = new is not None and new != old
        else:
            new = _points(answer.get("points"), field, clause.points)
            old = score.self_points if score.self_points is not None else score.auto_points
            score.review_points = new
            differs = new is not None and new != old
        if differs and not reason:
            raise ValidationError(
                {
                    field: _("Give the reason for changing “%(clause)s”.")
                    % {"clause": clause.text[:40]}
                }
            )
        score.review_reason = reason if differs else ""
        if differs:
            changes.append(
                {"clause": clause.pk, "from": str(old), "to": str(new), "reason": reason}
            )
    Score.objects.bulk_update(scores.values(), ["review_points", "review_veto", "review_reason"])
    before = {"total": str(entry.total), "grade": entry.grade}
    entry.total = grading.total(scores.values())
    entry.vetoed = any(s.veto_triggered for s in scores.values() if s.clause.veto)
    entry.grade = grading.grade(entry.total, entry.vetoed, entry.round.org, on)
    entry.state, entry.reviewed_on = EntryState.REVIEWED, on
    entry.review_note = _text(note, "note", required=False)
    entry.save()
    record(
        actor,
        "assessment.entry.review",
        entry,
        org=entry.org,
        before=before,
        after={
            "total": str(entry.total),
            "grade": entry.grade,
            "vetoed": entry.vetoed,
            "changes": changes,
        },
    )
    return entry


@transaction.atomic
def add_evidence(actor, score: Score, *, title: str, url: str = "", file: str = "") -> Evidence:
    entry = score.entry
    permissions.require_self_assess(actor, entry)
    if entry.round.state == RoundState.FINAL:
        raise ValidationError(_("The round is final."))
    if not url and not file:
        raise ValidationError({"url": _("Give a link or attach a file.")})
    item = Evidence.objects.create(
        score=score, title=_text(title, "title"), url=url, file=file, added_by=actor
    )
    record(
        actor,
        "assessment.evidence.add",
        item,
        org=entry.org,
        after={"clause": score.clause_id, "title": item.title},
    )
    return item


# -- publicity, objections, consequences -----------------------------------------------------


@transaction.atomic
def record_objection(
    actor, entry: Entry, *, raised_by: str, text: str, on: dt.date | None = None
) -> Objection:
    permissions.require_review(actor, entry)
    on = on or _today()
    if entry.round.state != RoundState.PUBLICITY:
        raise ValidationError(_("Objections are recorded during publicity."))
    item = Objection.objects.create(
        entry=entry,
        raised_on=on,
        recorded_by=actor,
        raised_by=_text(raised_by, "raised_by"),
        text=_text(text, "text"),
    )
    record(actor, "assessment.objection.record", item, org=entry.org, after={"text": item.text})
    return item


@transaction.atomic
def answer_objection(
    actor, objection: Objection, answer: str, on: dt.date | None = None
) -> Objection:
    permissions.require_review(actor, objection.entry)
    if objection.answered_on is not None:
        raise ValidationError(_("This objection was answered."))
    objection.answer, objection.answered_on = _text(answer, "answer"), on or _today()
    objection.save(update_fields=["answer", "answered_on"])
    record(
        actor,
        "assessment.objection.answer",
        objection,
        org=objection.entry.org,
        after={"answer": objection.answer},
    )
    return objection


@transaction.atomic
def submit_rectification(
    actor, rectification: Rectification, *, plan: str, deadline: dt.date, on: dt.date | None = None
) -> Rectification:
    """The organization's plan: what it will put right and by when."""
    permissions.require_self_assess(actor, rectification.entry)
    on = on or _today()
    if rectification.closed_on:
        raise ValidationError(_("This rectification is closed."))
    if deadline <= on:
        raise ValidationError({"deadline": _("The deadline must be after today.")})
    rectification.plan, rectification.deadline = _text(plan, "plan"), deadline
    rectification.submitted_on = on
    rectification.save()
    record(
        actor,
        "assessment.rectification.submit",
        rectification,
        org=rectification.entry.org,
        after={"deadline": str(deadline)},
    )
    return rectification


@transaction.atomic
def close_rectification(
    actor, rectification: Rectification, note: str, on: dt.date | None = None
) -> Rectification:
    """The upper level checks the rectification and closes it."""
    permissions.require_review(actor, rectification.entry)
    if rectification.submitted_on is None:
        raise ValidationError(_("The organization has not handed in its plan yet."))
    if rectification.closed_on:
        raise ValidationError(_("This rectification is closed."))
    rectification.closed_on, rectification.closing_note = on or _today(), _text(note, "note")
    rectification.save()
    record(
        actor,
        "assessment.rectification.close",
        rectification,
        org=rectification.entry.org,
        after={"note": rectification.closing_note},
    )
    return rectification


@transaction.atomic
def decide_leader_flag(
    actor, flag: LeaderFlag, decision: str, on: dt.date | None = None
) -> LeaderFlag:
    permissions.require_review(actor, flag.entry)
    if flag.decided_on:
        raise ValidationError(_("This was decided."))
    flag.decision, flag.decided_on = _text(decision, "decision"), on or _today()
    flag.save()
    record(
        actor,
        "assessment.leader_flag.decide",
        flag,
        org=flag.entry.org,
        after={"decision": flag.decision},
    )
    return flag
