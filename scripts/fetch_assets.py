#!/usr/bin/env python3
"""Fetch the web pages' front-end libraries from the npm registry, at install time.

Reads src/orderforge/entrypoints/web/static/vendor/assets.json; for each package there
downloads the tarball, checks it against the manifest's Subresource-Integrity hash (the
registry's `dist.integrity`), and extracts only the listed files into
static/vendor/<target>/. A package already present at the manifest's version is skipped,
so this runs offline once it has run once. Standard library only: no Node.js, no npm.

Usage: python scripts/fetch_assets.py [--force]
Environment: ORDERFORGE_NPM_REGISTRY replaces https://registry.npmjs.org (a mirror);
the integrity check still applies.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "orderforge" / "entrypoints" / "web" / "static" / "vendor"
MANIFEST = VENDOR / "assets.json"
REGISTRY = "https://registry.npmjs.org"
STAMP = ".installed"
MAX_BYTES = 50_000_000
TIMEOUT_SECONDS = 60


class AssetError(Exception):
    """A package could not be fetched or did not match the manifest; says which and why."""


def stamp_of(package: dict[str, Any]) -> str:
    return f"{package['name']}@{package['version']} {package['integrity']}\n"


def is_installed(package: dict[str, Any], folder: Path) -> bool:
    stamp = folder / STAMP
    return (
        stamp.is_file()
        and stamp.read_text() == stamp_of(package)
        and all((folder / name).is_file() for name in package["files"])
    )


def check_integrity(data: bytes, integrity: str, what: str) -> None:
    """`integrity` is an SRI string ("sha512-<base64>"); several may be space-separated."""
    for entry in integrity.split():
        algorithm, _, expected = entry.partition("-")
        if algorithm not in ("sha256", "sha384", "sha512"):
            continue
        actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
        if actual == expected:
            return
        raise AssetError(f"{what}: {algorithm} is {actual}, the manifest expects {expected}.")
    raise AssetError(f"{what}: the manifest has no sha256/sha384/sha512 integrity.")


def download(url: str) -> bytes:
    mirror = os.environ.get("ORDERFORGE_NPM_REGISTRY", "").rstrip("/")
    if mirror and url.startswith(REGISTRY + "/"):
        url = mirror + url[len(REGISTRY) :]
    if not url.startswith("https://") and not mirror:
        raise AssetError(f"Refusing a tarball URL that is not https: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "orderforge-fetch-assets"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data: bytes = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise AssetError(f"Could not download {url}: {exc}") from exc
    if len(data) > MAX_BYTES:
        raise AssetError(f"{url} is larger than {MAX_BYTES} bytes.")
    return data


def safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise AssetError(f"Manifest file name {name!r} must be a relative path inside the package.")
    return path


def extract(data: bytes, package: dict[str, Any], folder: Path) -> None:
    """Write only the listed files (npm tarballs keep them under `package/`)."""
    wanted = {str(PurePosixPath("package") / safe_name(n)): n for n in package["files"]}
    found: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.name in wanted and member.isfile():
                handle = archive.extractfile(member)
                if handle is not None:
                    found[wanted[member.name]] = handle.read()
    missing = sorted(set(package["files"]) - set(found))
    if missing:
        raise AssetError(f"{package['name']}@{package['version']} has no {', '.join(missing)}.")
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in found.items():
        target = folder / safe_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(content)
        Path(tmp.name).chmod(0o644)  # temporary files start private; the server must read it
        Path(tmp.name).replace(target)
    (folder / STAMP).write_text(stamp_of(package))


def fetch(package: dict[str, Any], force: bool = False) -> str:
    """Install one package; returns what was done, for the log."""
    label = f"{package['name']}@{package['version']}"
    folder = VENDOR / safe_name(package["target"])
    if not force and is_installed(package, folder):
        return f"{label}: present"
    data = download(package["tarball"])
    check_integrity(data, package["integrity"], label)
    extract(data, package, folder)
    return f"{label}: installed into {folder.relative_to(ROOT)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="download even when present")
    args = parser.parse_args(argv)
    manifest = json.loads(MANIFEST.read_text())
    failed = False
    for package in manifest["packages"]:
        try:
            print(fetch(package, force=args.force))
        except AssetError as exc:
            print(f"fetch_assets: {exc}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
