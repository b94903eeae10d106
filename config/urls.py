"""The site's URLs: the website at /, the REST API at /api/v1/, the admin at /admin/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("frontend.urls")),
]


def handler404(request, exception):
    """API paths answer in problem+json, everything else with the website's page."""
    from api.errors import api_page_not_found
    from frontend.views import page_not_found

    if request.path.startswith("/api/"):
        return api_page_not_found(request, exception)
    return page_not_found(request, exception)


def handler500(request):
    from api.errors import api_server_error
    from frontend.views import server_error

    if request.path.startswith("/api/"):
        return api_server_error(request)
    return server_error(request)


# MEDIA_ROOT is never served as such: every stored file goes out through a view that checks
# who may see it (e.g. /api/v1/datasets/<id>/download/...).
