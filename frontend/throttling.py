"""Rate limits for the website's forms, with the API's throttle scopes, rates and counters.

DRF's ScopedRateThrottle keys a budget on the scope and the user (or the client address
when signed out), so an API key created on the account page and one created through
``/api/v1/api-keys/`` spend the same budget: one rule, configured once in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``.
"""

from __future__ import annotations

import math
from functools import wraps

from django.shortcuts import render
from rest_framework.throttling import ScopedRateThrottle


class _ScopeHolder:
    """What ScopedRateThrottle reads from a view: only its scope."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def throttle_posts(scope: str):
    """Answer 429 (with Retry-After) to a POST beyond the scope's rate; GETs are free."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                throttle = ScopedRateThrottle()
                if not throttle.allow_request(request, _ScopeHolder(scope)):
                    wait = math.ceil(throttle.wait() or 1)
                    response = render(request, "frontend/429.html", {"wait": wait}, status=429)
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
