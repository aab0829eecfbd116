"""What the audit log records for assessment writes (see jiceng/audit/catalogue.py)."""

from django.utils.translation import gettext_lazy as _

from jiceng.audit.catalogue import workflow_actions

from .evaluation_flows import CAMPAIGN, HANDLING

ACTIONS = {
    "assessment.scheme.save": _("Save a scoring scheme"),
    "assessment.scheme.publish": _("Publish a scoring scheme"),
    "assessment.round.open": _("Open an assessment round"),
    "assessment.round.refresh": _("Read the figures of an assessment round again"),
    "assessment.round.review": _("Start the review of an assessment round"),
    "assessment.round.publish": _("Publish assessment results for publicity"),
    "assessment.round.finalize": _("Make assessment results final"),
    "assessment.entry.self_assess": _("Save a self-assessment"),
    "assessment.entry.submit": _("Hand in a self-assessment"),
    "assessment.entry.return": _("Return a self-assessment"),
    "assessment.entry.review": _("Review an organization's assessment"),
    "assessment.score.override": _("Score a clause differently from the records"),
    "assessment.evidence.add": _("Add evidence to a clause"),
    "assessment.objection.record": _("Record an objection to an assessment result"),
    "assessment.objection.answer": _("Answer an objection to an assessment result"),
    # secretaries' accountability reviews (书记抓党建述职评议)
    "assessment.review.open": _("Open a secretaries' accountability review"),
    "assessment.review.report": _("Hand in a secretary's accountability report"),
    "assessment.review.rate": _("Rate a secretary's accountability report"),
    "assessment.review.decide": _("Decide the results of an accountability review"),
    "assessment.review.follow_up": _("Add a follow-up item to an accountability review"),
    "assessment.review.close_follow_up": _("Close a follow-up item of an accountability review"),
    # awards and titles (评先评优)
    "assessment.award.open": _("Open an award nomination round"),
    "assessment.award.quota": _("Set a nomination quota"),
    "assessment.award.nominate": _("Nominate for an award"),
    "assessment.award.withdraw": _("Withdraw a nomination"),
    "assessment.award.publish": _("Publish award nominees for publicity"),
    "assessment.award.decide": _("Decide awards with the document number"),
    "assessment.award.record_title": _("Enter a title given earlier"),
    "assessment.rectification.submit": _("Hand in a rectification plan"),
    "assessment.rectification.close": _("Close a rectification"),
    "assessment.leader_flag.raise": _("Flag: consider replacing the leader"),
    "assessment.leader_flag.decide": _("Decide on replacing the leader"),
    # -- democratic evaluation of members --
    "assessment.evaluation.open": _("Open the democratic evaluation of members"),
    **workflow_actions("assessment.evaluation", CAMPAIGN, _("Democratic evaluation of members")),
    "assessment.evaluation.vote": _("Vote in the mutual evaluation of members"),
    "assessment.evaluation.paper_ballots": _("Enter paper ballots of the mutual evaluation"),
    "assessment.evaluation.opinion": _("Record a non-member's opinion of members"),
    "assessment.evaluation.grade": _("Decide a member's evaluation grade"),
    **workflow_actions(
        "assessment.evaluation", HANDLING, _("Handling of a member graded unqualified")
    ),
}
LEGACY: dict = {}
