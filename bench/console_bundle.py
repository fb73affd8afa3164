"""The console's initial download: JS + CSS (gzipped) that a first visit to /console/ loads, per route.

Reads Vite's manifest (console/dist/.vite/manifest.json, `make console` first) and follows the static
imports of the entry and of each route's chunk. "initial" = the entry plus the sign-in page, what a
browser loads before anyone signs in; the budget is 350 KB. Routes load on demand (code splitting), and
the dashboard's ECharts chunk is loaded only when the chart is drawn.

    .venv/bin/python bench/console_bundle.py [--budget-kb 350]
"""

import argparse
import gzip
import json
import sys
from pathlib import Path

DIST = Path(__file__).resolve().parents[1] / "console" / "dist"
ROUTES = {
    "sign-in": "src/views/LoginView.vue",
    "layout (after sign-in)": "src/layout/MainLayout.vue",
    "dashboard": "src/views/DashboardView.vue",
    "dashboard chart (ECharts)": "src/components/LineChart.vue",
    "companies": "src/views/CompaniesView.vue",
    "radar users": "src/views/RadarUsersView.vue",
    "products": "src/views/ProductsView.vue",
    "article editor (page)": "src/views/ArticleEditView.vue",
    "article editor (Tiptap, on demand)": "src/components/RichEditor.vue",
    "release board": "src/views/XcxReleaseView.vue",
}


def closure(manifest: dict, key: str, seen: set[str]) -> set[str]:
    """Files a chunk loads with it: itself, its CSS, and (recursively) its static imports."""
    files = set()
    if key in seen:
        return files
    seen.add(key)
    chunk = manifest[key]
    files.add(chunk["file"])
    files.update(chunk.get("css", []))
    for imported in chunk.get("imports", []):
        files |= closure(manifest, imported, seen)
    return files


def gz(files: set[str]) -> int:
    return sum(len(gzip.compress((DIST / f).read_bytes(), 9)) for f in files if f.endswith((".js", ".css")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget-kb", type=float, default=350)
    args = parser.parse_args()
    manifest_path = DIST / ".vite" / "manifest.json"
    if not manifest_path.is_file():
        print("No console build: run `make console` first.", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text())
    entry = next(key for key, chunk in manifest.items() if chunk.get("isEntry"))
    entry_files = closure(manifest, entry, set())
    initial = entry_files | closure(manifest, ROUTES["sign-in"], set())
    print(f"{'what':34} {'files':>5} {'gzipped KB':>11}")
    print(f"{'entry (app shell, Vue, router)':34} {len(entry_files):5} {gz(entry_files) / 1024:11.1f}")
    print(f"{'initial = entry + sign-in page':34} {len(initial):5} {gz(initial) / 1024:11.1f}")
    for name, key in ROUTES.items():
        if key in manifest:
            extra = closure(manifest, key, set()) - entry_files
            print(f"{'  + ' + name:34} {len(extra):5} {gz(extra) / 1024:11.1f}")
    total = {f for chunk in manifest.values() for f in [chunk["file"], *chunk.get("css", [])]}
    print(f"{'whole build':34} {len(total):5} {gz(total) / 1024:11.1f}")
    kb = gz(initial) / 1024
    verdict = "within" if kb <= args.budget_kb else "OVER"
    print(f"initial {kb:.1f} KB gzipped: {verdict} the {args.budget_kb:.0f} KB budget")
    return 0 if kb <= args.budget_kb else 1


if __name__ == "__main__":
    sys.exit(main())
