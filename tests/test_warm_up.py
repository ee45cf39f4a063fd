"""A gunicorn worker does before its first request what that request would otherwise do while a room waits."""

from pathlib import Path

from django.conf import settings
from django.template import engines

from flywheel_audit.wsgi import warm_up


def test_a_worker_compiles_every_template_before_its_first_request():
    # The project's loaders: django-template-partials' loader around Django's cached loader.
    cached = engines["django"].engine.template_loaders[0].loaders[0]
    cached.reset()
    compiled = warm_up()
    templates = Path(settings.BASE_DIR) / "templates"
    every_page = {path.relative_to(templates).as_posix() for path in templates.rglob("*.html")}
    assert set(compiled) == every_page and "audits/steps/identify.html" in every_page
    assert every_page <= set(cached.get_template_cache)
