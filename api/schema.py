"""Shared OpenAPI fragments: the problem+json responses every operation can give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from api.serializers.base import ProblemSerializer


def problems(*statuses: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Invalid input; `errors` names the fields.",
        401: "Missing, malformed, unknown or revoked API key.",
        403: "Not allowed.",
        404: "Not found, or not visible to you.",
        409: "Conflicts with the current state.",
        429: "Too many requests; see Retry-After.",
    }
    return {s: OpenApiResponse(ProblemSerializer, description=descriptions[s]) for s in statuses}


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents ``Authorization: Token <api key>`` as the API's security scheme."""

    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <api key>`; create keys on your account page or at /api/v1/api-keys/."
            ),
        }
