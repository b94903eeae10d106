from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        # Registers the OpenAPI extension for the API key authentication.
        from api import schema  # noqa: F401
