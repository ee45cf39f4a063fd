"""The load test's URLconf: the project's URLs plus a trivial view to compare the live poll with.

bench/load.py points ROOT_URLCONF here, in the settings module it generates for gunicorn; the
project's own URLconf is left as it is.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def trivial(request: HttpRequest) -> HttpResponse:
    """Answer "ok": no template, no query of its own.

    Whatever a logged-in request costs anyway (the middleware loads the session and the user)
    it costs here too; login_required only makes a lost session an error (a redirect) instead
    of a cheaper, logged-out measurement.
    """
    return HttpResponse("ok", content_type="text/plain")


# After the project's URLs, so that those resolve exactly as they do without this module.
urlpatterns = [
    path("", include("flywheel_audit.urls")),
    path("bench/trivial/", trivial, name="bench-trivial"),
]
