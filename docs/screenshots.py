"""Make the training-room guide's screenshots from the commands it tells a trainer to run.

    python docs/screenshots.py

runs `salesim replay` (the default command) and `salesim replay --branch-at 12 --facilitator`,
steps each page in headless Chromium at 1280x720 and writes `docs/img/replay-*.png` and
`docs/img/replay-default.json` (which replication was played and its gap), so the guide's
pictures and numbers are the commands' own; `tests/test_replay_consistency.py` checks the
guide's numbers against the default command. Needs the test extra (Playwright) and Debian's
chromium.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

IMAGES = ROOT / "docs" / "img"
VIEW = {"width": 1280, "height": 720}
DEFAULT_MONTHS = (1, 12, 24)
SLIDE = """m => { const s = document.getElementById('slider'); s.value = String(m);
                 s.dispatchEvent(new Event('input')); s.blur(); }"""


def replay(out: Path, *options: str) -> None:
    command = [sys.executable, "-m", "simulator", "replay", *options, "--out", str(out)]
    subprocess.run(command, check=True, cwd=ROOT)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        default, branch = Path(folder) / "default.html", Path(folder) / "branch.html"
        replay(default)
        replay(branch, "--branch-at", "12", "--facilitator")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport=VIEW)
            page.goto(default.as_uri())
            page.wait_for_function("document.body.dataset.ready === '1'")
            data = json.loads(page.inner_text("#replay-data"))
            for month in DEFAULT_MONTHS:
                page.evaluate(SLIDE, month)
                page.wait_for_timeout(300)
                page.screenshot(path=str(IMAGES / f"replay-month-{month}.png"))
            page.goto(branch.as_uri())
            page.wait_for_function("document.body.dataset.ready === '1'")
            page.select_option("#speed", "4")
            while True:  # play to each pause; keep the branch's
                page.keyboard.press(" ")
                page.wait_for_function("document.body.dataset.playing === '0'", timeout=120_000)
                kind = page.evaluate("document.body.dataset.pause")
                if kind == "branch":
                    page.screenshot(path=str(IMAGES / "replay-branch-12.png"))
                if not kind:
                    page.screenshot(path=str(IMAGES / "replay-branch-end.png"))
                    break
            page.goto(branch.with_name("branch.handout.html").as_uri())
            page.set_viewport_size({"width": 1100, "height": 780})
            page.emulate_media(media="print")
            page.screenshot(path=str(IMAGES / "replay-handout.png"), full_page=True)
            browser.close()
    selection = data["selection"]
    numbers = {"replication": selection["replication"], "seed": selection["seed"],
               "gap_usd": selection["gap_usd"][0], "text": selection["text"]}  # fmt: skip
    (IMAGES / "replay-default.json").write_text(json.dumps(numbers, indent=2) + "\n")
    print(f"wrote {IMAGES}: replication {numbers['replication']}")


if __name__ == "__main__":
    main()
