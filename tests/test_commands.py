"""The command-line exports and imports."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audits.models import Audit


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("file_format", ["json", "xlsx", "pptx"])
def test_export_audit_writes_the_file(audit, tmp_path, file_format):
    path = tmp_path / f"audit.{file_format}"
    out, _ = run("export_audit", str(audit.pk), "--format", file_format, "--output", str(path))
    assert f"Wrote {path}" in out
    assert path.stat().st_size > 100


def test_export_audit_refuses_an_unknown_audit_or_folder(audit, tmp_path):
    with pytest.raises(CommandError, match="There is no audit 999"):
        run("export_audit", "999", "--format", "json", "--output", str(tmp_path / "a.json"))
    with pytest.raises(CommandError, match="does not exist"):
        run("export_audit", str(audit.pk), "--format", "json", "--output", str(tmp_path / "no" / "a.json"))


def test_import_audit_prints_the_new_audits_id(audit, tmp_path):
    path = tmp_path / "audit.json"
    run("export_audit", str(audit.pk), "--format", "json", "--output", str(path))
    out, _ = run("import_audit", str(path), "--flywheel", str(audit.flywheel.pk))
    new = Audit.objects.exclude(pk=audit.pk).get()
    assert out.strip() == str(new.pk)


def test_import_audit_prints_the_reasons_and_saves_nothing(audit, tmp_path):
    path = tmp_path / "audit.json"
    run("export_audit", str(audit.pk), "--format", "json", "--output", str(path))
    data = json.loads(path.read_text())
    data["audit"]["language"] = "klingon"
    path.write_text(json.dumps(data))
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_audit", str(path), "--flywheel", str(audit.flywheel.pk), stderr=err)
    assert "audit: language 'klingon' is not one of English, Tiếng Việt, فارسی." in err.getvalue()
    assert Audit.objects.count() == 1


def test_import_audit_refuses_a_missing_file_or_flywheel(audit, tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        run("import_audit", str(tmp_path / "nope.json"), "--flywheel", str(audit.flywheel.pk))
    with pytest.raises(CommandError, match="There is no flywheel 999"):
        run("import_audit", str(tmp_path / "nope.json"), "--flywheel", "999")
