"""The library stays usable without Streamlit: nothing under genlab/ imports it."""

import ast
import re
from pathlib import Path

GENLAB = Path(__file__).resolve().parent.parent / "genlab"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_genlab_never_imports_streamlit():
    offenders = [
        str(path.relative_to(GENLAB.parent))
        for path in GENLAB.rglob("*.py")
        if any(name.split(".")[0] == "streamlit" for name in imported_modules(path))
    ]
    assert len(list(GENLAB.rglob("*.py"))) > 20
    assert not offenders, offenders


TESTS = GENLAB.parent / "tests"


def is_test_module(module: str) -> bool:
    last = module.split(".")[-1]
    return module.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def test_no_test_module_imports_another_test_module():
    """Shared helpers live in tests/support/ (or a fixture in a conftest), not in a test file."""
    offenders = [
        f"{path.relative_to(TESTS.parent)} imports {name}"
        for path in TESTS.rglob("*.py")
        for name in imported_modules(path)
        if is_test_module(name)
    ]
    assert len(list(TESTS.rglob("test_*.py"))) > 30
    assert not offenders, offenders


def test_nothing_cites_files_users_of_the_repository_do_not_have():
    """The design notes outside the repository: what is still true is in docs/architecture.md."""
    root = GENLAB.parent
    texts = [*root.glob("*.md"), *root.glob("docs/*.md"), *root.glob("[!.]*/**/*.py"), root / "lab"]
    offenders = [
        str(path.relative_to(root))
        for path in texts
        if ".venv" not in path.parts
        and any(mark in path.read_text("utf-8") for mark in ("../" + "shared/", "DESIGN" + ".md"))
        and path.name != "test_layout.py"
    ]
    assert not offenders, offenders


def test_the_readme_is_short_and_its_links_lead_somewhere():
    root = GENLAB.parent
    readme = (root / "README.md").read_text("utf-8")
    assert len(readme.encode()) <= 6 * 1024
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert "docs/serving.md" in links and "docs/bad-input.md" in links
    missing = [link for link in links if not (root / link).exists()]
    assert not missing, missing
