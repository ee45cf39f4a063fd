"""A moment as people read it off a clock ("22:01"), for "open until …": `{% local_time moment as until %}`.

The server writes it in settings.TIME_ZONE, with the zone's name so that it is never taken for local time;
js/facilitation.js rewrites every <time data-local-time> in the browser's own time zone and language.
"""

from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def local_time(moment: datetime, now: datetime | None = None) -> str:
    """`<time datetime="…" data-local-time>22:01 UTC</time>`: the time of day in the active language's format,
    after the weekday ("Sat 22:01 UTC") when it is not today."""
    local = timezone.localtime(moment)
    text = formats.time_format(local, "TIME_FORMAT")
    if local.date() != timezone.localtime(now or timezone.now()).date():
        text = f"{formats.date_format(local, 'D')} {text}"
    return format_html(
        '<time datetime="{}" data-local-time>{} {}</time>', local.isoformat(), text, formats.date_format(local, "T")
    )
