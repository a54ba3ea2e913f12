"""The coding widget in JupyterLab, in a real browser (Debian Chromium driven by Playwright).

Starts JupyterLab on 127.0.0.1 with ``EBM_DATA_DIR`` pointing at a temporary
copy of the data, opens notebook 06, runs it, and works the page as a
researcher would: applies a code with the buttons; then, at a laptop's
1366×768, drags the mouse across words of a segment (real mouse events, in a
synthetic segment with emoji, where the browser's UTF-16 positions differ
from Python's), applies a code with the keyboard, sees the highlight, and
clicks it to select the coding. After each step the copy's files are read
(csv and json, independently of the library); the project's own ``data/``
must not change. Screenshots go to ``test-artifacts/``.
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

from conftest import ARTIFACTS, DATA, ROOT, add_synthetic_excerpt, rows_on_disk

NOTEBOOK = "06_coding_workbench.ipynb"


# A synthetic segment (not from the report), so that the selection crosses emoji: two UTF-16 units each.
SYNTHETIC_ID = "E999"
SYNTHETIC_TEXT = "🙂 Ja, jag är 👩🏽‍⚕️ trött – men här får vi stöd 💪 av mentorerna, säger hon."


def add_synthetic_segment(folder) -> None:
    add_synthetic_excerpt(folder, SYNTHETIC_ID, SYNTHETIC_TEXT, "Synthetic segment of the browser test (with emoji).",
                          "tests/test_widgets_browser.py")


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
    add_synthetic_segment(data)
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)  # no "get notified about Jupyter news?" pop-up over the screenshots
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = free_port(), "ebm-browser-test"
    env = {**os.environ, "EBM_DATA_DIR": str(data), "EBM_LANG": "en", "HOME": str(home),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "JUPYTER_CONFIG_DIR": str(root / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings")}
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
        segment = page.locator(".ebm-segment-select .ebm-segment-row-selected")
        segment.wait_for(state="visible")
        assert segment.text_content().startswith("E001 ")  # the first segment is selected
        codes = page.locator(".ebm-code-select select")
        labels = codes.evaluate("s => [...s.options].map(o => o.textContent)")
        plain = [" ".join(label.replace("\xa0", " ").split()) for label in labels]
        trust = [i for i, label in enumerate(plain) if label.startswith("trust — ")]
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


# ---------------------------------------------------------------- at a laptop's size, with the mouse

LAPTOP = {"width": 1366, "height": 768}

# Geometry only (where the words are on screen); the selection itself is made with the mouse.
WHERE_ARE_WORDS = """(words) => {
  const root = document.querySelector('.ebm-segment-view .ebm-segment-text');
  const full = root.textContent, at = full.indexOf(words);
  if (at < 0) return null;
  const chars = [...words], end = at + words.length;
  const place = (offset) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0, node;
    while ((node = walker.nextNode())) {
      if (offset <= seen + node.length) return [node, offset - seen];
      seen += node.length;
    }
    return null;
  };
  const rect = (a, b) => {
    const r = document.createRange();
    r.setStart(...place(a));
    r.setEnd(...place(b));
    const rects = r.getClientRects();
    return rects[rects.length - 1];
  };
  const first = rect(at, at + chars[0].length), last = rect(end - chars[chars.length - 1].length, end);
  return {x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2};
}"""


def open_and_run(page, lab) -> None:
    page.goto(f"{lab['base']}/lab/tree/{NOTEBOOK}?token={lab['token']}")
    page.wait_for_selector(".jp-NotebookPanel")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.locator(".ebm-segment-select .ebm-segment-row").first.wait_for(state="visible")


def wait_for_status(page, words: str) -> str:
    page.wait_for_function("(w) => { const s = document.querySelector('.ebm-status'); "
                           "return s && s.innerText.includes(w); }", arg=words)
    return page.locator(".ebm-status").inner_text()


KERNEL_IDLE = ("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'")


def settle(page) -> None:
    """Wait until the kernel is idle twice over: ipywidgets holds back a typed value while the kernel is
    busy and sends it when it is idle, while a button click goes at once; a person types slower than that."""
    for _ in range(2):
        page.wait_for_function(KERNEL_IDLE)
        page.wait_for_timeout(300)


def drag_across(page, words: str) -> None:
    """Select ``words`` in the segment view with a real mouse drag (press, move in steps, release)."""
    page.locator(".ebm-segment-view .ebm-segment-text").scroll_into_view_if_needed()
    spot = page.evaluate(WHERE_ARE_WORDS, words)
    assert spot, f"{words!r} is not in the segment view"
    page.mouse.move(spot["x1"], spot["y1"])
    page.mouse.down()
    page.mouse.move(spot["x2"], spot["y2"], steps=12)
    page.mouse.up()


def open_panel(page, title: str) -> None:
    """Open a section of the workbench's accordion (New code, Merge codes, Write a memo) with a click."""
    header = page.locator(".ebm-panels .jupyter-widget-Collapse-header", has_text=title)
    header.scroll_into_view_if_needed()
    header.click()


def choose(page, selector: str, starts: str) -> None:
    """Pick the option of a <select> whose label (spaces normalised) starts with ``starts``."""
    select = page.locator(selector)
    labels = select.evaluate("s => [...s.options].map(o => o.textContent)")
    found = [label for label in labels if " ".join(label.replace("\xa0", " ").split()).startswith(starts)]
    assert len(found) == 1, (starts, labels)
    select.select_option(label=found[0])


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not on screen"
    return found


def test_select_text_with_the_mouse_apply_with_a_key_and_click_the_highlight(lab, browser):
    before_project = (DATA / "codings.csv").read_bytes()
    before = rows_on_disk(lab["data"])
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(120_000)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        open_and_run(page, lab)
        # 0. the segment list shows whole texts over several lines, all of it on hover; a click chooses
        rows = page.locator(".ebm-segment-select .ebm-segment-row")
        longest = max(range(rows.count()), key=lambda i: len(rows.nth(i).get_attribute("title")))
        title = rows.nth(longest).get_attribute("title")
        assert len(title) > 200 and rows.nth(longest).text_content() == title  # the whole text, not cut
        tall = rows.nth(longest).evaluate(
            "r => r.getBoundingClientRect().height / parseFloat(getComputedStyle(r).lineHeight)")
        assert tall > 2.5, f"the longest segment takes {tall:.1f} lines"
        page.locator(f'.ebm-segment-select .ebm-segment-row[data-value="{SYNTHETIC_ID}"]').click()
        page.wait_for_function("(w) => { const t = document.querySelector('.ebm-segment-view .ebm-segment-text'); "
                               "return t && t.textContent === w; }", arg=SYNTHETIC_TEXT)

        # 1a. a double-click takes a word, and the span follows it
        page.locator(".ebm-segment-view .ebm-segment-text").scroll_into_view_if_needed()
        spot = page.evaluate(WHERE_ARE_WORDS, "mentorerna")
        page.mouse.dblclick((spot["x1"] + spot["x2"]) / 2, spot["y1"])
        word = SYNTHETIC_TEXT.index("mentorerna")
        page.wait_for_function("(w) => document.querySelector('.ebm-span-preview').innerText.includes(w)",
                               arg=f"Span {word}–{word + len('mentorerna')}")
        assert "«mentorerna»" in page.locator(".ebm-span-preview").inner_text()

        # 1b. drag across words after two emoji and ending in one: the span follows, in Python offsets
        words = "trött – men här får vi stöd 💪"
        start = SYNTHETIC_TEXT.index(words)
        end = start + len(words)
        assert len(SYNTHETIC_TEXT[:start].encode("utf-16-le")) // 2 > start  # the browser counts differently
        drag_across(page, words)
        page.wait_for_function("(w) => document.querySelector('.ebm-span-preview').innerText.includes(w)", arg=words)
        assert f"Span {start}–{end}" in page.locator(".ebm-span-preview").inner_text()
        assert rows_on_disk(lab["data"]) == before  # choosing a span saves nothing

        # 2. find the code by typing part of its Swedish name, then press "a" in the segment view
        page.locator(".ebm-code-search input").fill("tillit")
        page.wait_for_function(
            "() => document.querySelector('.ebm-chosen-code').innerText.includes('soft_values > trust')")
        cells = page.locator(".jp-Notebook .jp-Cell").count()
        page.locator(".ebm-segment-view .ebm-segment-head").click()  # focus the view; the span stays chosen
        page.keyboard.press("a")
        status = wait_for_status(page, "Saved")
        assert "trust" in status and SYNTHETIC_ID in status
        assert page.locator(".jp-Notebook .jp-Cell").count() == cells, "the key also inserted a notebook cell"
        after = rows_on_disk(lab["data"])
        added = [row for cid, row in after.items() if cid not in before]
        assert [(r["segment_id"], r["code_id"], r["start"], r["end"], r["coder"]) for r in added] == [
            (SYNTHETIC_ID, "trust", str(start), str(end), "coder1")]
        coding = added[0]["coding_id"]

        # 3. the highlight is there, over exactly those words
        mark = page.locator(f'.ebm-segment-view mark[data-codings~="{coding}"]')
        mark.first.wait_for(state="visible")
        assert "".join(mark.all_inner_texts()) == words

        # 4. the status sits next to the buttons, on screen, at 1366x768
        page.locator(".ebm-action-bar").scroll_into_view_if_needed()
        bar, apply_, reload_, shown = (box(page, s) for s in (".ebm-action-bar", "button.ebm-apply",
                                                              "button.ebm-reload", ".ebm-status"))
        assert shown["x"] >= reload_["x"] + reload_["width"] and abs(shown["y"] - apply_["y"]) < bar["height"]
        assert 0 <= shown["y"] and shown["y"] + shown["height"] <= LAPTOP["height"]
        page.screenshot(path=str(ARTIFACTS / "lab-select-applied-1366x768.png"))

        # 5. a click on the highlight selects the coding; a memo is written on it
        mark.first.click()
        page.wait_for_function("(c) => document.querySelector('.ebm-coding-select select').value.startsWith(c)",
                               arg=coding)
        page.wait_for_function("(c) => document.querySelector(`mark.ebm-mark-selected[data-codings~='${c}']`)",
                               arg=coding)
        memo = "Trötthet och stöd i samma mening (syntetiskt exempel)."
        page.locator(".ebm-memo textarea").fill(memo)
        settle(page)
        page.locator("button.ebm-save-memo").click()
        wait_for_status(page, f"memo of {coding} updated")
        assert rows_on_disk(lab["data"])[coding]["memo"] == memo

        # 6. the codings table: headers side by side, not on top of each other
        heads = [box(page, f".ebm-codings-view th:nth-child({i})") for i in range(2, 8)]
        assert all(a["x"] + a["width"] <= b["x"] + 0.5 for a, b in zip(heads, heads[1:]))
        assert len({round(h["y"]) for h in heads}) == 1
        page.locator(".ebm-action-bar").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-select-highlight-clicked-1366x768.png"))

        # 7. merge two codes: every coding of empathy becomes trust, empathy is retired (not deleted)
        empathy = {cid for cid, r in rows_on_disk(lab["data"]).items() if r["code_id"] == "empathy"}
        assert empathy
        open_panel(page, "Merge codes")
        choose(page, ".ebm-merge-source select", "soft_values > empathy — ")
        choose(page, ".ebm-merge-target select", "soft_values > trust — ")
        settle(page)
        page.locator("button.ebm-merge").click()
        assert "merged empathy into trust" in wait_for_status(page, "merged empathy")
        merged = rows_on_disk(lab["data"])
        assert {merged[cid]["code_id"] for cid in empathy if cid in merged} == {"trust"}
        assert rows_on_disk(lab["data"], "codebook")["empathy"]["status"] == "retired"
        page.locator(".ebm-action-bar").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-select-merged-1366x768.png"))

        # 8. write a memo on this segment and the chosen code
        open_panel(page, "Write a memo")
        page.locator(".ebm-memo-title input").fill("Trötthet och stöd")
        page.locator(".ebm-memo-body textarea").fill(
            "Stödet nämns i samma andetag som tröttheten (syntetiskt exempel).")
        page.locator(".ebm-memo-link-code input").check()
        settle(page)
        page.locator("button.ebm-write-memo").click()
        assert "memo M001" in wait_for_status(page, "memo M001")
        beside = page.locator(".ebm-note-status")
        assert "Saved" in beside.inner_text() and beside.is_visible()  # the answer is next to the button pressed
        memo = (lab["data"] / "memos" / "M001.md").read_text(encoding="utf-8")
        assert "title: Trötthet och stöd" in memo and "- segment:E999" in memo and "- code:trust" in memo
        assert memo.rstrip().endswith("Stödet nämns i samma andetag som tröttheten (syntetiskt exempel).")
        page.screenshot(path=str(ARTIFACTS / "lab-select-memo-1366x768.png"))

        # 9. overlapping codings of two sub-codes of one theme: two shades, the overlap underlined
        page.locator('.ebm-segment-select .ebm-segment-row[data-value="O010"]').click()
        page.wait_for_function("() => { const t = document.querySelector('.ebm-segment-view .ebm-segment-head'); "
                               "return t && t.innerText.startsWith('O010'); }")
        marks = page.locator(".ebm-segment-view mark.ebm-mark").evaluate_all(
            "ms => ms.map(m => [m.dataset.codes, getComputedStyle(m).backgroundColor, getComputedStyle(m).boxShadow])")
        style = {codes: (color, shadow) for codes, color, shadow in marks}
        whole, overlap = style["sensitive_questions"], style["trust sensitive_questions"]  # narrowest first
        assert whole[0] != overlap[0], marks  # trust and sensitive_questions: two shades of soft_values' blue
        assert whole[1] == "none" and overlap[1] != "none", marks  # the wider coding underlines the overlap
        page.locator(".ebm-action-bar").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lab-select-overlap-shades-1366x768.png"))
    finally:
        page.screenshot(path=str(ARTIFACTS / "lab-select-last-1366x768.png"))
        context.close()
    assert (DATA / "codings.csv").read_bytes() == before_project, "the project's own data/ was changed"
