"""``Authorization: Token <api key>`` for the REST API.

A request without an Authorization header falls through to the session (the website); a
request that sends one must send a good key, whatever the endpoint: a wrong key is a 401,
never silently anonymous.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.exceptions import InvalidApiKey
from accounts.services import authenticate_api_key


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword.lower().encode() or len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: send 'Authorization: Token <api key>'.",
                code="malformed_credentials",
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "Malformed API key: it must be ASCII.", code="malformed_credentials"
            ) from None
        try:
            api_key = authenticate_api_key(raw=raw)
        except InvalidApiKey as exc:
            raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from None
        return (api_key.user, api_key)

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
