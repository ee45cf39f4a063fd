from django.contrib import admin
from django.urls import include, path

from audits.views import profile

urlpatterns = [
    path("", include("audits.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # Django's set_language, by the same name: the choice is also kept in a signed-in user's profile.
    path("language/", profile.language, name="set_language"),
    path("profile/preferences/", profile.preferences, name="preferences"),
    path("admin/", admin.site.urls),
]
