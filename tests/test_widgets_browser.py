"""The coding widget in JupyterLab, in a real browser (Debian Chromium driven by Playwright).

Starts JupyterLab on 127.0.0.1 with ``EBM_DATA_DIR`` pointing at a temporary
copy of the data, opens notebook 06, runs it, applies a code through the
page, and checks that the copy's ``codings.csv`` changed accordingly (and
that the project's own ``data/`` did not).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ARTIFACTS, DATA, ROOT, rows_on_disk

NOTEBOOK = "06_coding_workbench.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer at {url} within {timeout} s")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of notebook 06 and of the data folder."""
    root = tmp_path_factory.mktemp("lab")
    notebooks, data, home = root / "notebooks", root / "data", root / "home"
    notebooks.mkdir()
    home.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, notebooks / NOTEBOOK)
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".versions", "*.bak"))
    port, token = free_port(), "ebm-browser-test"
    env = {**os.environ, "EBM_DATA_DIR": str(data), "EBM_LANG": "en", "HOME": str(home),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "JUPYTER_CONFIG_DIR": str(root / "config")}
    log = (root / "lab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={notebooks}", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=None", "--LabServerApp.extension_manager=readonly"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=notebooks)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/status?token={token}", proc)
        yield {"base": base, "token": token, "data": data}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_apply_a_code_through_the_page(lab, browser):
    before_project = (DATA / "codings.csv").read_bytes()
    before = rows_on_disk(lab["data"])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{lab['base']}/lab/tree/{NOTEBOOK}?token={lab['token']}")
        page.wait_for_selector(".jp-NotebookPanel")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                               "&& window.jupyterapp.shell.currentWidget.sessionContext "
                               "&& window.jupyterapp.shell.currentWidget.sessionContext.session")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        segment = page.locator(".ebm-segment-select select")
        segment.wait_for(state="visible")
        assert segment.input_value().startswith("E001 ")  # the first segment is selected
        codes = page.locator(".ebm-code-select select")
        labels = codes.evaluate("s => [...s.options].map(o => o.textContent)")
        plain = [" ".join(label.replace("\xa0", " ").split()) for label in labels]
        trust = [i for i, label in enumerate(plain) if label.startswith("soft_values > trust ")]
        assert len(trust) == 1, plain
        codes.select_option(index=trust[0])
        page.locator("button.ebm-apply").click()
        status = page.locator(".ebm-status")
        page.wait_for_function("() => document.querySelector('.ebm-status') && "
                               "document.querySelector('.ebm-status').innerText.includes('Saved')")
        assert "trust" in status.inner_text()
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lab-coding-widget.png"), full_page=True)
        context.close()
    after = rows_on_disk(lab["data"])  # codings.csv and the change log, read with csv/json
    added = [row for cid, row in after.items() if cid not in before]
    assert len(after) == len(before) + 1
    assert [(r["segment_id"], r["code_id"], r["coder"], r["created_by"]) for r in added] == [
        ("E001", "trust", "coder1", "coder1")]
    assert (lab["data"] / "changes.jsonl").exists(), "the change was not logged"
    assert (DATA / "codings.csv").read_bytes() == before_project, "the project's own data/ was changed"
