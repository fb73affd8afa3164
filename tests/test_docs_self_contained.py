"""The repository explains itself: no file points at design notes or issue numbers kept elsewhere, and every
relative link of README.md and docs/*.md leads to a file (and heading) that exists."""

import re
import subprocess
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()

# Vendored, generated or binary: not prose anyone maintains.
SKIPPED_DIRS = (".git/", ".venv/", "node_modules/", "dist/", "instance/", "statics/", "bench/results/", "docs/img/")
SKIPPED_NAMES = {"package-lock.json"}
SKIPPED_DIR_NAMES = {".git", ".venv", "node_modules", "dist", "__pycache__", ".pytest_cache", ".ruff_cache"}

# References to documents outside this repository, and to the issues work was tracked in.
EVERYWHERE = {
    "a design note kept outside the repository": re.compile(r"\bSPEC\b|\bSTYLE\b|WECHAT\.md|\.\./shared/"),
    "an issue number": re.compile(r"\bissues? ?#?\d+", re.IGNORECASE),
}
# Section signs outside docs/ always meant a section of an outside document; docs/ may use them for their own.
OUTSIDE_DOCS = {"a section (§) of a document not in this repository": re.compile("\N{SECTION SIGN}")}

LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def maintained_files() -> list[str]:
    try:
        git = ["git", "ls-files", "-z"]  # the files the repository tracks
        listed = subprocess.run(git, cwd=ROOT, capture_output=True, check=True, timeout=30).stdout.decode()  # noqa: S603
        paths = [path for path in listed.split("\0") if path]
    except (OSError, subprocess.SubprocessError):  # not a git checkout: walk the tree
        paths = [
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if path.is_file() and not SKIPPED_DIR_NAMES & set(path.relative_to(ROOT).parts)
        ]
    return [
        path
        for path in paths
        if path != THIS
        and not any(part in f"/{path}" for part in (f"/{d}" for d in SKIPPED_DIRS))
        and Path(path).name not in SKIPPED_NAMES
    ]


def text_of(path: str) -> str | None:
    try:
        data = (ROOT / path).read_bytes()
    except OSError:  # listed by git but deleted in the work tree
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found, seen = set(), {}
    for heading in HEADING.findall(markdown):
        base = slug(heading)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def test_no_file_points_outside_the_repository():
    found = []
    for path in maintained_files():
        text = text_of(path)
        if text is None:
            continue
        rules = dict(EVERYWHERE) if path.startswith("docs/") else {**EVERYWHERE, **OUTSIDE_DOCS}
        for number, line in enumerate(text.splitlines(), 1):
            for what, pattern in rules.items():
                match = pattern.search(line)
                if match:
                    found.append(f"{path}:{number}: {what} ({match.group(0)!r}): {line.strip()[:100]}")
    assert found == [], "point to docs/ in this repository instead:\n" + "\n".join(found)


def test_every_docs_link_resolves():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert len(pages) > 5
    broken = []
    for page in pages:
        markdown = page.read_text()
        for target in LINK.findall(markdown):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            linked = (page.parent / file_part).resolve() if file_part else page
            where = f"{page.relative_to(ROOT)} → {target}"
            if not linked.exists():
                broken.append(f"{where}: no such file")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text()):
                broken.append(f"{where}: no such heading in {linked.relative_to(ROOT)}")
    assert broken == [], "\n".join(broken)


def test_the_area_map_covers_every_view_module():
    assert "](docs/architecture.md)" in (ROOT / "README.md").read_text()
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    area_map = architecture[architecture.index("## Area map") :]
    # The view column names modules relative to app/api/, some as globs (`admin/plugin_*.py`).
    named = set(re.findall(r"`([\w*/]+\.py)`", area_map))
    api = ROOT / "app" / "api"
    modules = [path.relative_to(api).as_posix() for path in sorted(api.rglob("*.py")) if path.name != "__init__.py"]
    assert len(modules) > 30
    missing = [module for module in modules if not any(fnmatch(module, pattern) for pattern in named)]
    assert missing == [], "add these view modules to the area map of docs/architecture.md"
