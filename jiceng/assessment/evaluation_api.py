"""The assessment API's evaluation endpoints, mounted by api.py."""

from ninja import Router

router = Router(tags=["assessment"])
