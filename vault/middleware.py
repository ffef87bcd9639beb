"""Opens one key scope per request, so unwrapped keys never outlive the request."""

from vault.keys import key_scope


class KeyScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with key_scope():
            return self.get_response(request)
