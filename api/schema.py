"""Shared OpenAPI fragments: the problem+json responses every operation can give."""

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
