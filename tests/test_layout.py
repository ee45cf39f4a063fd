"""The app's rooms (README's "Layout"): each module named once, areas importing only the areas below
them, no circle of imports, and no view module importing another."""

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

import audits

PACKAGE = Path(audits.__file__).parent
# Each area and the areas it may import (besides itself). The top-level modules are areas of their own.
MAY_IMPORT = {
    "models": set(),
    "content": {"models"},
    "accounts": {"models", "content"},
    "forms": {"models", "accounts"},
    "live": {"models", "content", "accounts"},
    "reports": {"models", "content", "accounts", "forms"},
    "api": {"models", "content", "accounts", "forms", "reports"},
    "responses": {"live"},
    "templatetags": {"models", "content", "accounts"},
    "views": {"models", "content", "accounts", "forms", "live", "reports", "responses"},
    "urls": {"views", "api"},
    "admin": {"models"},
    "apps": {"accounts"},
    "management": {"models", "content", "reports"},
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = ["audits", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The app's modules `path` imports, anywhere in it (a function's own import too)."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("audits"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                imported.add(name if name in known else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: import the app's modules by their full name (from audits.… import …)")
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names if alias.name.startswith("audits"))
    return imported & set(known)


def area_of(module: str) -> str:
    return module.split(".")[1] if "." in module else "audits"


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {module: imports_of(path, known) - {module} for module, path in known.items()}


def test_no_two_modules_share_a_name():
    names = Counter(module.rsplit(".", 1)[-1] for module, path in modules().items() if path.name != "__init__.py")
    assert [name for name, count in names.items() if count > 1] == []


def test_each_area_imports_only_the_areas_below_it():
    graph = import_graph()
    assert set(map(area_of, graph)) - {"audits"} == set(MAY_IMPORT), "a new area: say in MAY_IMPORT what it may import"
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if area_of(module) != area_of(target)
        and area_of(target) not in MAY_IMPORT.get(area_of(module), set())
        and area_of(module) != "audits"
    )
    assert wrong == []


def test_no_view_module_imports_another():
    graph = import_graph()
    views = {module for module in graph if module.startswith("audits.views.")}
    assert sorted(f"{module} imports {target}" for module in views for target in graph[module] & views) == []


def circles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    circles, done, path = [], set(), []

    def visit(module: str) -> None:
        if module in path:
            circles.append(path[path.index(module) :] + [module])
            return
        if module in done:
            return
        path.append(module)
        for target in sorted(graph[module]):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    return circles


def test_the_import_graph_has_no_circle():
    assert circles_in(import_graph()) == []


def test_the_checks_see_a_circle_and_a_view_importing_a_view(tmp_path, monkeypatch):
    """The rules above read real import statements: a made-up circle and view import are caught."""
    package = tmp_path / "audits"
    (package / "views").mkdir(parents=True)
    for name in ("__init__.py", "views/__init__.py"):
        (package / name).write_text("")
    (package / "views" / "one.py").write_text("from audits.views import two\n")
    (package / "views" / "two.py").write_text("from audits.views.one import something\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", package)
    graph = import_graph()
    assert graph["audits.views.one"] == {"audits.views.two"}
    assert graph["audits.views.two"] == {"audits.views.one"}
    assert circles_in(graph) == [["audits.views.one", "audits.views.two", "audits.views.one"]]
    with pytest.raises(AssertionError, match="imports audits.views"):
        test_no_view_module_imports_another()


# What a workshop page draws of the audit comes from its document (doc.header, doc.metrics, …), never from the
# Audit model: the model is read outside the permission layer and holds no computed figure. The page's frame
# (its <title>, breadcrumbs and URLs) may name the audit it was asked for: it is drawn without loading the document.
TEMPLATES = Path(audits.__file__).resolve().parent.parent / "templates" / "audits"
DRAWN_FROM_THE_DOCUMENT = [
    *sorted((TEMPLATES / "panels").glob("*.html")),
    *sorted((TEMPLATES / "steps").glob("*.html")),
    TEMPLATES / "partials" / "rows.html",
    TEMPLATES / "partials" / "containers.html",
    TEMPLATES / "audit_detail.html",
]
# An audit's or flywheel's id and address, which every URL needs.
MODEL_READ = re.compile(r"\b(?:audit|flywheel)\.(?!pk\b|id\b|get_absolute_url\b)\w+")


@pytest.mark.parametrize("template", DRAWN_FROM_THE_DOCUMENT, ids=lambda path: path.name)
def test_the_workshop_pages_draw_the_audit_from_its_document(template):
    text = template.read_text()
    if template.name == "audit_detail.html":  # its frame's title block; the page itself is the main partial
        text = text[text.index("{% partialdef main %}") :]
    assert MODEL_READ.findall(text) == []
