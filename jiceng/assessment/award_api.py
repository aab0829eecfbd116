"""The assessment API's award endpoints, mounted by api.py."""

from ninja import Router

router = Router(tags=["assessment"])
