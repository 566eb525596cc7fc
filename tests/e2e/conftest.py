"""Browser tests: a real `orderforge serve` process and Debian's Chromium via Playwright.

The server runs once per session in a temporary folder (its own SQLite database with
the demo plant loaded); every test gets a fresh browser context, so sign-ins do not
leak between tests. Without /usr/bin/chromium the tests skip (and fail when CI=true).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.conftest import DEMO_PASSWORD, IN_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
STARTUP_SECONDS = 30.0
#: Playwright's waits (auto-waiting locators, expect) give up after this many ms.
TIMEOUT_MS = 10_000


def _orderforge_command() -> str:
    """The `orderforge` console script of the interpreter running the tests."""
    script = Path(sys.executable).parent / "orderforge"
    if not script.exists():
        pytest.fail(f"{script} is missing: install the project first (pip install -e '.[dev]').")
    return str(script)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(args[1:])}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real OrderForge server with the demo data, on a free local port."""
    workdir = tmp_path_factory.mktemp("orderforge-e2e")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORDERFORGE_")}
    env.update(
        ORDERFORGE_VAR_DIR=str(workdir / "var"),
        ORDERFORGE_SECRET_KEY=secrets.token_urlsafe(32),
        # The browser tests walk the engineers' manual review path.
        ORDERFORGE_REVIEW_ON_CONFIRM="false",
        ORDERFORGE_DEMO_PASSWORD=DEMO_PASSWORD,
        COLUMNS="120",
    )
    command = _orderforge_command()
    _run([command, "db", "upgrade"], workdir, env)
    _run([command, "demo", "load", "--history-weeks", "0"], workdir, env)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _answers(f"{base}/login"):
                if process.poll() is not None or time.monotonic() > deadline:
                    why = (
                        f"exited with {process.returncode}"
                        if process.poll() is not None
                        else f"did not answer within {STARTUP_SECONDS:.0f} s"
                    )
                    pytest.fail(f"orderforge serve {why}; its output:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    """Package-scoped: Playwright's sync API keeps an asyncio loop running in this thread
    while it is open, so it must close before tests that run their own loop (the
    procrastinate worker) come after the browser tests."""
    if not CHROMIUM.exists():
        message = f"Browser tests need Debian's Chromium at {CHROMIUM}, which is missing."
        if IN_CI:
            pytest.fail(message + " CI must install it (apt-get install -y chromium).")
        pytest.skip(
            message + " To run them: `sudo apt-get install chromium`, "
            "or run scripts/test.sh as root (it installs it)."
        )
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the browser tests (never a downloaded browser)."""
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies) at a 1280x800 viewport."""
    context = browser.new_context(
        base_url=server_url, viewport={"width": 1280, "height": 800}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Folder for screenshots of key pages (the README shows one of them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


expect.set_options(timeout=TIMEOUT_MS)
