"""The seed's scoring scheme (003:L290-296): 100 points in six blocks, scored by self-check,
peer check and patrol inspection, with the three veto items of 003:L294. Offered as the
starting point of a new scheme and used by the demo; an upper level edits it into its own."""

from django.utils.translation import gettext_lazy as _

SEED_SCHEME = {
    "code": "branch-building",
    "name": "党支部建设目标管理考核",
    "blocks": [
        {
            "title": "班子建设",
            "clauses": [
                {
                    "text": "支部委员会按期换届，班子成员配备齐全",
                    "points": 8,
                    "method": "patrol",
                    "evidence": "elections.terms_in_order",
                },
                {"text": "按规定召开支部委员会会议、组织生活会", "points": 7, "method": "self"},
            ],
        },
        {
            "title": "党员教育和管理",
            "clauses": [
                {
                    "text": "按规定召开“三会一课”",
                    "points": 15,
                    "method": "self",
                    "evidence": "life.compliance",
                },
                {
                    "text": "党员参加组织生活出勤",
                    "points": 10,
                    "method": "self",
                    "evidence": "life.attendance",
                },
                {"text": "开展民主评议党员", "points": 5, "method": "peer"},
            ],
        },
        {
            "title": "党风党纪建设",
            "clauses": [
                {"text": "落实党风廉政建设责任，无违纪违规问题", "points": 15, "method": "patrol"},
            ],
        },
        {
            "title": "发展党员工作",
            "clauses": [
                {
                    "text": "发展党员各环节按期完成",
                    "points": 10,
                    "method": "self",
                    "evidence": "people.development_on_time",
                },
                {"text": "入党积极分子培养联系", "points": 5, "method": "peer"},
            ],
        },
        {
            "title": "职工思想政治工作",
            "clauses": [
                {"text": "掌握职工思想动态，开展谈心谈话", "points": 10, "method": "peer"},
                {
                    "text": "职工代表大会提案按期答复",
                    "points": 5,
                    "method": "self",
                    "evidence": "congress.proposals_on_time",
                },
            ],
        },
        {
            "title": "基础工作",
            "clauses": [
                {"text": "台账资料齐全规范", "points": 10, "method": "patrol"},
                {"text": "班子不团结", "veto": True, "method": "formal"},
                {"text": "未完成工作任务", "veto": True, "method": "formal"},
                {"text": "有党员受党纪政纪处分", "veto": True, "method": "formal"},
            ],
        },
    ],
}

LABEL = _("The seed's scheme (100 points in six blocks, 003:L290-296)")
