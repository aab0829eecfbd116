"""Request-scoped memory for policy lookups (see `selectors.request_memo`)."""

from .selectors import request_memo


class PolicyMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_memo():
            return self.get_response(request)
