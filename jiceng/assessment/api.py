"""Assessment API: schemes, rounds, entries and scores; member evaluations and awards are
mounted from their own modules."""

from ninja import Router

from . import award_api, evaluation_api, export_api

router = Router(tags=["assessment"])
router.add_router("/evaluations", evaluation_api.router)
router.add_router("/awards", award_api.router)
router.add_router("/exports", export_api.router)
