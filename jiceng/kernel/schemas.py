"""Schemas shared by several apps' API routers."""

from ninja import Schema


class OrgRef(Schema):
    code: str
    name: str
    kind: str
