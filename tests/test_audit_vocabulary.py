"""The audit vocabulary: one spelling scheme, one catalogue, labels people can read."""

import ast
import html
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation

from jiceng.access.services import create_token
from jiceng.audit import catalogue
from jiceng.audit.models import AuditEvent
from jiceng.audit.services import GENESIS, _digest, object_type, record, record_many, verify
from jiceng.congress.flows import PROPOSAL, SUGGESTION
from jiceng.elections.models import TermChangeKind
from jiceng.elections.services.cases import APPROVALS
from jiceng.orgs.services import rename
from jiceng.people.pipeline import PIPELINE
from jiceng.people.transfers import TRANSFER

SOURCE = Path(__file__).resolve().parent.parent / "jiceng"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _recorders(tree: ast.Module) -> set[str]:
    """The names `record` and `record_many` go by in a module (`record as audit`)."""
    names = {"record", "record_many"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "jiceng.audit.services":
            names |= {a.asname or a.name for a in node.names if a.name in names}
    return names


def _spelling(arg: ast.expr) -> str | None:
    """The action a call passes: the literal, or an f-string with `*` for each placeholder."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "*" for v in arg.values)
    return None


def _actions_in_source() -> list[tuple[str, str]]:
    """(where, spelling) for every action a `record(...)` call or a `record_many` entry
    (a 5-tuple built in the same function) names in jiceng/."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path.parent.name == "audit":
            continue
        tree = ast.parse(path.read_text())
        names = _recorders(tree)
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            calls = [
                n
                for n in ast.walk(func)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names
            ]
            for call in calls:
                where = f"{path.relative_to(SOURCE)}:{call.lineno}"
                if call.func.id != "record_many":
                    found.append((where, _spelling(call.args[1])))
                    continue
                entries = [
                    n for n in ast.walk(func) if isinstance(n, ast.Tuple) and len(n.elts) == 5
                ]
                found += [(where, _spelling(t.elts[0])) for t in entries]
    return sorted(set(found))  # a nested function's calls are met twice


def test_the_source_is_walked():
    assert len({s for _w, s in _actions_in_source()}) > 80


@pytest.mark.parametrize("where,spelling", _actions_in_source())
def test_every_action_the_code_records_is_in_the_catalogue(where, spelling):
    assert spelling is not None, f"{where}: the action is not a literal or an f-string"
    pattern = "[a-z_]+".join(re.escape(part) for part in spelling.split("*"))
    matches = [a for a in catalogue.actions() if re.fullmatch(pattern, a)]
    assert matches, f"{where}: {spelling} is not in any audit_actions.py"


@pytest.mark.parametrize(
    "prefix,keys",
    [
        ("congress.proposal", PROPOSAL.steps),
        ("congress.suggestion", SUGGESTION.steps),
        ("elections.case", APPROVALS),
        ("elections.term", TermChangeKind.values),
        ("people.party", PIPELINE.steps),
        ("people.transfer", TRANSFER.steps),
    ],
)
def test_every_step_a_service_records_by_key_is_in_the_catalogue(prefix, keys):
    assert {f"{prefix}.{key}" for key in keys} <= set(catalogue.actions())


def test_every_action_follows_the_scheme_and_has_a_chinese_label():
    actions = catalogue.actions()
    assert len(actions) > 100
    with translation.override("zh-hans"):
        for action in actions:
            app = action.split(".")[0]
            assert catalogue.SCHEME.fullmatch(action) and (SOURCE / app).is_dir(), action
            assert CJK.search(catalogue.label(action)), f"{action} has no Chinese label"


def test_every_old_spelling_gets_the_label_of_its_action():
    legacy = catalogue.legacy()
    assert legacy["poll.close"] == "elections.poll.close"
    with translation.override("zh-hans"):
        assert (
            catalogue.label("poll.close") == catalogue.label("elections.poll.close") == "结束投票"
        )
        for old, new in legacy.items():
            assert not catalogue.is_known(old) and catalogue.is_known(new)
            assert catalogue.label(old) == catalogue.label(new)


def test_an_unknown_action_is_refused_and_nothing_is_written(world):
    officer, count = world.users["a1_officer"], AuditEvent.objects.count()
    with pytest.raises(ValueError, match=re.escape("elections.poll.explode")):
        record(officer, "elections.poll.explode", world.branch_a1)
    with pytest.raises(ValueError, match=re.escape("poll.close")):
        record(officer, "poll.close", world.branch_a1)  # an old spelling is for reading only
    entries = [
        ("orgs.org.rename", world.branch_a1, None, {}, world.branch_a1),
        ("orgs.org.teleport", world.branch_a1, None, {}, world.branch_a1),
    ]
    with pytest.raises(ValueError, match=re.escape("orgs.org.teleport")):
        record_many(officer, entries)
    assert AuditEvent.objects.count() == count


def _visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_history_page_shows_the_chinese_label_not_the_code(world, login):
    officer = world.users["a1_officer"]
    rename(officer, world.branch_a1, name="和平社区党支部")
    page = login(officer).get("/orgs/A1/history/").content.decode()
    assert 'title="orgs.org.rename"' in page  # the code stays as the tooltip
    text = _visible_text(page)
    assert "组织更名" in text and "orgs.org.rename" not in text


def test_an_event_written_before_the_rename_shows_its_label(world, login):
    last = AuditEvent.objects.order_by("-id").first()
    event = AuditEvent(
        at=timezone.now(),
        actor_name="system",
        source="cli",
        action="org.rename",  # as events were spelled before the scheme
        object_type=object_type(world.branch_a1),
        object_id=str(world.branch_a1.pk),
        object_repr=str(world.branch_a1),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = _digest(event)
    event.save(force_insert=True)
    assert verify().ok
    text = _visible_text(login(world.users["a1_officer"]).get("/orgs/A1/history/").content.decode())
    assert "组织更名" in text and "org.rename" not in text


def test_the_api_gives_the_label_beside_the_action(world, client):
    officer = world.users["a1_officer"]
    rename(officer, world.branch_a1, name="和平社区党支部")
    _token, raw = create_token(world.system, user=officer)
    response = client.get("/api/v1/orgs/A1/history", HTTP_AUTHORIZATION=f"Bearer {raw}")
    newest = json.loads(response.content)[0]
    assert (newest["action"], newest["label"]) == ("orgs.org.rename", "组织更名")
