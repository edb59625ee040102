"""Top-level URLs: the mini-program API under /api/v1/, its schema and docs, the console, health."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mall.api.health import healthz
from mall.api.not_found import api_not_found
from mall.console import pages
from mall.url_index import segment_indexed

api_v1 = [
    path("", include("mall.api.urls")),
    path("", include("members.api.urls")),
    path("", include("marketing.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("analytics.api.urls")),
]

urlpatterns = [
    path("", pages.home, name="home"),
    path("favicon.ico", pages.favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(segment_indexed(api_v1))),  # tried by first segment (issue 12)
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),  # after every API route: unknown API paths answer JSON
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("mall.console.urls")),
    path("admin/", admin.site.urls),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

# SuspiciousOperation outside DRF (body over the upload limit, bad host): JSON under /api/.
handler400 = "mall.api.exception_handler.bad_request"
# A refused console page in the console's frame and language, with a way back.
handler403 = "mall.console.pages.permission_denied"
