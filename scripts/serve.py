"""Serve the portal as it runs in production: nginx on 127.0.0.1 in front of gunicorn, and
the scheduler (django-q2's cluster) beside them.

`make run` calls this after loading the data. It uses the production settings (DEBUG off,
WhiteNoise serving compressed, hashed static files), generates a secret key on first use
and keeps it in .run/ (never in git), collects the static files, checks the deployment
settings, then starts gunicorn on a free loopback port and nginx on the port asked for.
Ctrl-C (or SIGTERM) stops all three; if one stops by itself, the others are stopped too.

    python scripts/serve.py [--port 8000] [--run-dir .run]
"""

import argparse
import getpass
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BIN = Path(sys.executable).parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def secret_key(run_dir: Path) -> str:
    """This checkout's own secret, made once and kept out of git (and out of .env, which
    every settings module reads)."""
    path = run_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def production_env(run_dir: Path, host: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", secret_key(run_dir))
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    env.setdefault("DJANGO_ALLOWED_HOSTS", f"{host},localhost,127.0.0.1")
    # Where "View on site" and the links in emails lead: here, unless a deployment says.
    env.setdefault("PORTAL_BASE_URL", f"http://{host}:{port}")
    # Emails (a staff password reset) are written to files in .run/emails/, one each, unless
    # EMAIL_BACKEND names a real one (README, Settings).
    if "EMAIL_BACKEND" not in env:
        env["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
        env["EMAIL_FILE_PATH"] = str(run_dir / "emails")
    # Plain HTTP on loopback: in a deployment TLS ends at the host's own front proxy, which
    # sets DJANGO_SECURE_PROXY_SSL_HEADER, and the redirect to HTTPS stays on.
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    # nginx overwrites X-Real-IP with the peer's address, so it can be trusted here.
    env.setdefault("DJANGO_CLIENT_IP_HEADER", "HTTP_X_REAL_IP")
    # nginx overwrites X-Forwarded-Proto with the scheme it was reached by, so Django may
    # trust it to tell HTTPS from HTTP (HSTS, secure redirects).
    env.setdefault("DJANGO_SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO")
    # nginx applies the API's rate limit (nginx_conf), so gunicorn does not count again.
    env["PORTAL_API_RATE_LIMIT"] = ""
    return env


RATE_UNITS = {"s": ("r/s", "a second"), "m": ("r/m", "a minute")}
DEFAULT_API_RATE_LIMIT = "300/m"


def api_rate_limit(value: str) -> tuple[str, int, str] | None:
    """PORTAL_API_RATE_LIMIT ("300/m": a count a second or a minute; empty for none) as
    nginx's limit_req rate, its burst (as many again at once) and the words the 429 says it
    in."""
    if not value.strip():
        return None
    match = re.fullmatch(r"\s*([1-9][0-9]{0,6})\s*/\s*([sm])\s*", value or "")
    if not match:
        sys.exit(
            f"PORTAL_API_RATE_LIMIT={value!r} cannot be used: behind nginx the API's limit is "
            "a number of requests a second or a minute, like 300/m or 10/s."
        )
    count, unit = int(match[1]), match[2]
    rate, words = RATE_UNITS[unit]
    return f"{count}{rate}", count, f"{count} {words}"


def nginx_conf(run_dir: Path, host: str, port: int, upstream: str, rate_limit: str) -> Path:
    template = (ROOT / "config" / "nginx.conf.template").read_text()
    # As root, nginx's workers drop to an unprivileged user; otherwise they run as you.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    limit = api_rate_limit(rate_limit)
    if limit is None:  # no limit: the zone is declared, never applied
        template = template.replace("limit_req zone=api", "# no limit: limit_req zone=api")
    rate, burst, words = limit or ("1r/s", 1, "none")
    text = (
        template.replace("@USER@", user)
        .replace("@RUN_DIR@", str(run_dir))
        .replace("@HOST@", host)
        .replace("@PORT@", str(port))
        .replace("@UPSTREAM@", upstream)
        .replace("@API_RATE_TEXT@", words)
        .replace("@API_RATE@", rate)
        .replace("@API_BURST@", str(burst))
    )
    path = run_dir / "nginx.conf"
    path.write_text(text)
    return path


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )
    if not found:
        sys.exit("nginx is not installed: `make install` installs it.")
    return found


def wait_until_up(url: str, processes: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[0]} stopped while starting (see above).")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise RuntimeError(f"{url} answered {exc.code} while starting.") from exc
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"The portal did not answer at {url} within {timeout:.0f} s.")


def wait_for_port(address: str, process: subprocess.Popen, timeout: float = 60) -> None:
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting (see above).")
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on {address} within {timeout:.0f} s.")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            if "qcluster" in process.args:
                # The scheduler's cluster stops its own workers, in about a second, when its
                # main process is signalled. Signalled as a group, the workers went at once
                # and the main process was still waiting for them 30 s later.
                os.kill(process.pid, signal.SIGTERM)
                continue
            # nginx stops gracefully on SIGQUIT; gunicorn on SIGTERM.
            sig = signal.SIGQUIT if "nginx" in str(process.args[0]) else signal.SIGTERM
            os.killpg(process.pid, sig)
    for process in processes:
        # A task the scheduler's cluster is running is given 5 s: it is one transaction,
        # rolled back if it is stopped, and run again later.
        grace = 5 if "qcluster" in process.args else 25
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--run-dir", default=str(ROOT / ".run"), help="sockets, logs, secret")
    parser.add_argument("--no-collectstatic", action="store_true")
    args = parser.parse_args()

    run_dir = Path(args.run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    env = production_env(run_dir, args.host, args.port)
    manage = [sys.executable, "manage.py"]
    if not args.no_collectstatic:
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
    # The deployment checks must pass; their warning that HTTP is not redirected to HTTPS
    # is expected on loopback, where there is no certificate to redirect to.
    check = subprocess.run([*manage, "check", "--deploy", "--fail-level", "ERROR"], cwd=ROOT,
                           env=env, capture_output=True, text=True)  # fmt: skip
    if check.returncode:
        sys.exit(check.stderr + check.stdout)

    upstream = f"127.0.0.1:{free_port()}"
    rate_limit = os.environ.get("PORTAL_API_RATE_LIMIT", DEFAULT_API_RATE_LIMIT)
    conf = nginx_conf(run_dir, args.host, args.port, upstream, rate_limit)
    nginx = nginx_binary()
    subprocess.run([nginx, "-t", "-q", "-e", "stderr", "-p", str(run_dir), "-c", str(conf)],
                   check=True)  # fmt: skip

    processes: list[subprocess.Popen] = []

    def shutdown(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    try:
        processes.append(
            subprocess.Popen(
                [
                    str(PYTHON_BIN / "gunicorn"),
                    "config.wsgi",
                    "--config",
                    "config/gunicorn.py",
                    "--bind",
                    upstream,
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )  # fmt: skip
        )
        wait_for_port(upstream, processes[0])
        processes.append(
            subprocess.Popen(
                [nginx, "-e", "stderr", "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"],
                cwd=ROOT,
                start_new_session=True,
            )  # fmt: skip
        )
        # The scheduler: dated changes happen on their date (docs/operations.md).
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )  # fmt: skip
        )
        url = f"http://{args.host}:{args.port}"
        wait_until_up(url + "/", processes)
        print(
            f"The portal is at {url}/ (nginx in front of gunicorn, production settings, "
            f"run by {getpass.getuser()}), with the scheduler running. "
            f"Access log: {run_dir / 'access.log'}. "
            "Ctrl-C stops it.",
            flush=True,
        )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        stopped = next(p for p in processes if p.poll() is not None)
        name = "the scheduler" if "qcluster" in stopped.args else Path(stopped.args[0]).name
        print(f"{name} stopped (exit {stopped.returncode}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopping the portal.", flush=True)
        return 0
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
