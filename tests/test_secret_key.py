"""With DEBUG on and no DJANGO_SECRET_KEY, each checkout makes and keeps a secret key of its own."""

import stat

from flywheel_audit.settings import BASE_DIR, development_secret_key

from .test_settings import settings_value


def test_it_makes_a_long_random_key_on_first_use(tmp_path):
    key = development_secret_key(tmp_path / ".secret_key")
    assert len(key) >= 50
    assert (tmp_path / ".secret_key").read_text().strip() == key


def test_it_keeps_the_key_readable_by_its_owner_only(tmp_path):
    development_secret_key(tmp_path / ".secret_key")
    assert stat.S_IMODE((tmp_path / ".secret_key").stat().st_mode) == 0o600


def test_it_reads_the_same_key_again(tmp_path):
    assert development_secret_key(tmp_path / ".secret_key") == development_secret_key(tmp_path / ".secret_key")


def test_each_machine_gets_a_key_of_its_own(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    assert development_secret_key(tmp_path / "one" / ".secret_key") != development_secret_key(
        tmp_path / "two" / ".secret_key"
    )


def test_the_settings_use_the_key_of_this_checkout_when_debug_is_on():
    key = settings_value("settings.SECRET_KEY")
    assert key == (BASE_DIR / ".secret_key").read_text().strip()
    assert "local-development-only-key" not in key


def test_the_key_file_is_ignored_by_git():
    assert "/.secret_key" in (BASE_DIR / ".gitignore").read_text().splitlines()


def test_an_environment_key_wins():
    assert settings_value("settings.SECRET_KEY", DJANGO_SECRET_KEY="from-the-environment") == "from-the-environment"
