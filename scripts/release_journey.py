"""Time a national ONSPD release from upload to applied, as a Data manager meets it in the admin.

Makes the database portal_release_journey afresh with the City and Hackney data (as
`make data` does), serves it as `make run` does (nginx, gunicorn and the scheduler's
cluster, scripts/serve.py) on a free port, signs in as a Data manager made for the run, and
then, over HTTP like a browser:

1. uploads the synthetic national ONSPD file (scripts/national_onspd.py, 2.7 million
   postcodes, written into bench-results/national/ and kept for the next run, as
   `make bench BENCH_ARGS=--national` does);
2. reads the release's page every 2 seconds, as its refresh does, noting each new status
   and progress line while the file is checked and previewed;
3. applies it with a reason, and reads the page again until it is applied.

Prints the timeline (seconds since the upload began, status, the page's progress line), the
preview's lines and the totals, and writes them to bench-results/release-journey.json.

    .venv/bin/python scripts/release_journey.py [--rows 2700000] [--seed 2026]

Run after `make data`; traffic goes to 127.0.0.1 only.
"""

import argparse
import html
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for scripts.bench

from scripts.bench import (  # noqa: E402
    DATA_STEPS,
    ROOT,
    database_url,
    free_port,
    manage,
    wait_until_up,
)

DB = "portal_release_journey"
USER = "release-journey"
POLL_SECONDS = 2
STATUS = re.compile(r'<div id="release">\s*<h2>(.*?)</h2>', re.S)
PROGRESS = re.compile(r'<p role="status">(.*?)</p>', re.S)
PREVIEW = re.compile(r'<ul id="release-preview">(.*?)</ul>', re.S)
ITEM = re.compile(r"<li>(.*?)</li>", re.S)


def national_file(rows: int, seed: int) -> Path:
    path = ROOT / "bench-results" / "national" / f"ONSPD_NOV_2026_SYNTHETIC_{rows}_{seed}.csv"
    if not path.exists():
        print(f"Writing {path.relative_to(ROOT)} ({rows:,} postcodes)", flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "national_onspd.py"),
                str(path),
                "--rows",
                str(rows),
                "--seed",
                str(seed),
            ],
            check=True,
        )
    return path


def fresh_database(env: dict, password: str):
    subprocess.run(["dropdb", "--if-exists", DB], check=True)
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "database.sh")],
        env={**env, "PORTAL_DB_NAME": DB},
        check=True,
    )
    print(f"Loading the City and Hackney data into {DB}", flush=True)
    for step in DATA_STEPS:
        manage([*step, "-v0"], env=env)
    manage(
        [
            "shell",
            "-c",
            (
                "from django.contrib.auth import get_user_model; "
                "from django.contrib.auth.models import Group; "
                f"u = get_user_model().objects.create_user({USER!r}, password={password!r}, "
                "is_staff=True); u.groups.add(Group.objects.get(name='Data managers'))"
            ),
        ],
        env=env,
    )


def page_state(text: str) -> tuple[str, str]:
    status = STATUS.search(text)
    progress = PROGRESS.search(text)
    words = lambda m: html.unescape(re.sub(r"\s+", " ", m[1]).strip()) if m else ""  # noqa: E731
    return words(status), words(progress).replace(
        " This page updates by itself every few seconds.", ""
    )


def follow(session, url: str, started: float, timeline: list, until: set[str]) -> str:
    last = None
    while True:
        text = session.get(url, timeout=30).text
        status, progress = page_state(text)
        if (status, progress) != last:
            timeline.append(
                {
                    "seconds": round(time.monotonic() - started, 1),
                    "status": status,
                    "progress": progress,
                }
            )
            print(f"  {timeline[-1]['seconds']:7.1f} s  {status}  {progress}", flush=True)
            last = (status, progress)
        if status in until:
            return text
        time.sleep(POLL_SECONDS)


def csrf(session, url: str) -> str:
    text = session.get(url, timeout=30).text
    # The production settings mark the session and CSRF cookies Secure; a browser sends
    # them to 127.0.0.1 over plain HTTP (a secure context), requests only when told.
    for cookie in session.cookies:
        cookie.secure = False
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_700_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    path = national_file(args.rows, args.seed)
    password = secrets.token_urlsafe(16)
    env = {**os.environ, "DATABASE_URL": database_url(DB)}
    fresh_database(env, password)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run_dir = ROOT / ".run" / "release-journey"
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "serve.py"),
            "--port",
            str(port),
            "--run-dir",
            str(run_dir),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(f"{base}/", timeout=120)
        session = requests.Session()
        login = f"{base}/admin/login/"
        session.post(
            login,
            {
                "csrfmiddlewaretoken": csrf(session, login),
                "username": USER,
                "password": password,
                "next": "/admin/",
            },
            headers={"Referer": login},
        )
        add = f"{base}/admin/neighbourhoods/datarelease/add/"
        token = csrf(session, add)
        print(f"Uploading {path.name} ({path.stat().st_size / 1e9:.2f} GB)", flush=True)
        timeline: list[dict] = []
        started = time.monotonic()
        with path.open("rb") as f:
            response = session.post(
                add,
                data={"csrfmiddlewaretoken": token, "source": "onspd"},
                files={"file": (path.name, f, "text/csv")},
                headers={"Referer": add},
                allow_redirects=False,
                timeout=600,
            )
        if response.status_code != 302:
            sys.exit(f"The upload answered {response.status_code}, not a redirect to the release.")
        uploaded = round(time.monotonic() - started, 1)
        url = base + response.headers["Location"]
        print(f"  {uploaded:7.1f} s  uploaded", flush=True)
        text = follow(
            session, url, started, timeline, {"Checked: ready to apply", "Refused: nothing changed"}
        )
        checked = timeline[-1]["seconds"]
        preview = (
            [html.unescape(li) for li in ITEM.findall(PREVIEW.search(text)[1])]
            if PREVIEW.search(text)
            else []
        )
        apply = url.rstrip("/").rsplit("/change", 1)[0] + "/apply/"
        session.post(
            apply,
            {"csrfmiddlewaretoken": csrf(session, url), "reason": "Timing a national release"},
            headers={"Referer": url},
        )
        follow(session, url, started, timeline, {"Applied", "Failed: nothing changed"})
        applied = timeline[-1]["seconds"]
    finally:
        server.terminate()
        server.wait(timeout=60)
    report = {
        "file": path.name,
        "bytes": path.stat().st_size,
        "uploaded_s": uploaded,
        "checked_s": checked,
        "applied_s": applied,
        "timeline": timeline,
        "preview": preview,
    }
    out = ROOT / "bench-results" / "release-journey.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print("Preview:\n  " + "\n  ".join(preview))
    print(
        f"Upload {uploaded} s; checked and previewed at {checked} s; applied at {applied} s "
        f"(from the start of the upload). Written to {out.relative_to(ROOT)}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
