"""A workflow Context whose requirements read policy: for its organization, on the step's date."""

from dataclasses import dataclass

from jiceng.kernel.workflow import Context

from .selectors import value


@dataclass
class PolicyContext(Context):
    org: object = None  # whose policy applies; by default the record's organization

    def __post_init__(self):
        if self.org is None:
            self.org = self.record.org

    def policy(self, key: str):
        return value(key, org=self.org, on=self.on)
