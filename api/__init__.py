"""The REST API at /api/v1/: one router, a view module and a serializer module per resource."""
