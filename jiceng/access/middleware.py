"""Request-scoped memory for the gate: a user's role assignments are read once per request.

The cache lives in a context variable that is set at the start of each request and reset at
its end (also when the view raises), so under a threaded server one request never sees
another's, and a worker thread carries nothing from one request to the next.
"""

from . import gate


class AssignmentCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = gate._request_cache.set({})
        try:
            return self.get_response(request)
        finally:
            gate._request_cache.reset(token)
