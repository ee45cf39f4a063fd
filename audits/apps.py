from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Flywheel audits"

    def ready(self) -> None:
        from audits.accounts import preferences  # noqa: F401  (connects the receiver that copies the profile into the session at login)
