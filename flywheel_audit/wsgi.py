import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flywheel_audit.settings")


def warm_up() -> list[str]:
    """Do, as a worker starts, what its first requests would otherwise do while a room waits for them: import
    every view (the URLconf), compile every template and read the translations.

    A fresh gunicorn worker took ~0.6 s over its first page (bench/load.py: a room opening the page at
    once met four of them); warmed, it takes what every later request does. Nothing here reads the
    database. Returns the templates compiled.
    """
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018  (reading it imports the URLconf and every view)
    directories = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    names = sorted(
        path.relative_to(found_in).as_posix() for found_in in directories for path in found_in.rglob("*.html")
    )
    for name in names:
        get_template(name)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Save")
    return names


application = get_wsgi_application()
warm_up()
