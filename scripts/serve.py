"""Serve the portal as it runs in production: nginx on 127.0.0.1 in front of Varnish in front
of gunicorn, and the scheduler (django-q2's cluster) beside them.

`make run` calls this after loading the data. It uses the production settings (DEBUG off,
WhiteNoise serving compressed, hashed static files), generates a secret key on first use
and keeps it in .run/ (never in git), collects the static files, checks the deployment
settings, then starts gunicorn and Varnish (the shared cache, purged on every publish) on
free loopback ports and nginx on the port asked for; nginx goes straight to gunicorn while
Varnish is down. Ctrl-C (or SIGTERM) stops them all; if one stops by itself, the others are
stopped too.

    python scripts/serve.py [--port 8000] [--run-dir .run] [--no-cache]
"""

import argparse
import datetime
import getpass
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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


def nginx_conf(
    run_dir: Path, host: str, port: int, upstream: str, rate_limit: str, cache: str | None = None
) -> Path:
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
        .replace("@UPSTREAMS@", upstreams(upstream, cache))
        .replace("@API_RATE_TEXT@", words)
        .replace("@API_RATE@", rate)
        .replace("@API_BURST@", str(burst))
    )
    path = run_dir / "nginx.conf"
    path.write_text(text)
    return path


# nginx's two logs, the access log and the error log: one file a day each, kept this many
# days, then deleted (the privacy notice says so, from the same setting:
# PORTAL_ACCESS_LOG_DAYS, config/settings/base.py).
DEFAULT_ACCESS_LOG_DAYS = 14
LOGS = ("access.log", "error.log")
ROTATED_LOG = re.compile(r"^(?:access|error)\.log\.(\d{4}-\d{2}-\d{2})(\.\d+)?$")


def access_log_days() -> int:
    value = os.environ.get("PORTAL_ACCESS_LOG_DAYS", "") or str(DEFAULT_ACCESS_LOG_DAYS)
    if not value.isdigit() or int(value) < 1:
        sys.exit(
            f"PORTAL_ACCESS_LOG_DAYS={value!r} cannot be used: give a number of days, 1 or more."
        )
    return int(value)


def log_rotate(run_dir: Path, day: datetime.date, name: str = "access.log") -> Path | None:
    """Move the log nginx writes (`name`) aside as `day`'s (access.log.YYYY-MM-DD, or .N after
    it if that is taken); nginx must then be told to open a new one (SIGUSR1). Returns the
    file it became, or None if there was none."""
    log = run_dir / name
    if not log.exists():
        return None
    kept = run_dir / f"{name}.{day.isoformat()}"
    n = 0
    while kept.exists():
        n += 1
        kept = run_dir / f"{name}.{day.isoformat()}.{n}"
    log.rename(kept)
    return kept


def logs_rotate(run_dir: Path, day: datetime.date) -> list[Path]:
    """Both of nginx's logs moved aside as `day`'s (then SIGUSR1)."""
    return [kept for name in LOGS if (kept := log_rotate(run_dir, day, name))]


def logs_expire(run_dir: Path, today: datetime.date, days: int) -> list[Path]:
    """Delete the rotated logs of days `days` or more before today: at most `days` days are
    kept, today's included. Returns what it deleted."""
    deleted = []
    for path in run_dir.glob("*.log.*"):
        match = ROTATED_LOG.match(path.name)
        if match and datetime.date.fromisoformat(match[1]) <= today - datetime.timedelta(days=days):
            path.unlink()
            deleted.append(path)
    return deleted


def logs_keep(run_dir: Path, today: datetime.date, days: int) -> None:
    """At start: a log left from an earlier day is moved aside as that day's, and logs past
    their days are deleted."""
    for name in LOGS:
        log = run_dir / name
        if log.exists():
            written = datetime.date.fromtimestamp(log.stat().st_mtime)
            if written < today:
                log_rotate(run_dir, written, name)
    logs_expire(run_dir, today, days)


def upstreams(upstream: str, cache: str | None) -> str:
    """nginx's servers: the cache, with gunicorn as the backup it goes to when the cache
    cannot be reached (a refused connection is retried there, whatever the method)."""
    if cache is None:
        return f"server {upstream} fail_timeout=0;"
    return f"server {cache} fail_timeout=0;\n        server {upstream} backup;"


def varnish_home(run_dir: Path) -> Path:
    """Varnish's folder: its VCL and working files. Varnish reads them as its own
    unprivileged user, which may not enter the run folder (a private temporary folder, say),
    so they are kept in a folder of their own, linked from the run folder as varnish/."""
    home = Path(tempfile.mkdtemp(prefix="portal-varnish-"))
    home.chmod(0o755)
    link = run_dir / "varnish"
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    link.symlink_to(home / "work")
    return home


def varnish_vcl(home: Path, upstream: str) -> Path:
    host, port = upstream.rsplit(":", 1)
    text = (
        (ROOT / "config" / "varnish.vcl.template")
        .read_text()
        .replace("@BACKEND_HOST@", host)
        .replace("@BACKEND_PORT@", port)
    )
    path = home / "varnish.vcl"
    path.write_text(text)
    path.chmod(0o644)
    return path


def varnish_command(home: Path, vcl: Path, cache: str, purge: str) -> list[str]:
    """varnishd in the foreground: the cache's address for nginx, and one for purges alone
    (config/varnish.vcl.template tells them apart), 256 MB of answers in memory."""
    found = shutil.which("varnishd") or next(
        (p for p in ("/usr/sbin/varnishd", "/sbin/varnishd") if Path(p).exists()), None
    )
    if not found:
        sys.exit("Varnish is not installed: `make install` installs it.")
    size = os.environ.get("PORTAL_CACHE_SIZE", "256m")
    return [found, "-F", "-n", str(home / "work"), "-a", f"public={cache}",
            "-a", f"purge={purge}", "-f", str(vcl), "-s", f"malloc,{size}", "-T", "none",
            "-p", "default_grace=0"]  # fmt: skip


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
            raise RuntimeError(f"{process.args[0]} stopped while starting (see above).")
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
    parser.add_argument(
        "--no-cache", action="store_true", help="no Varnish: nginx in front of gunicorn alone"
    )
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

    log_days = access_log_days()
    log_day = datetime.date.today()
    logs_keep(run_dir, log_day, log_days)

    upstream = f"127.0.0.1:{free_port()}"
    cache = None if args.no_cache else f"127.0.0.1:{free_port()}"
    purge = None if args.no_cache else f"127.0.0.1:{free_port()}"
    purge_url_file = run_dir / "cache_purge_url"
    purge_url_file.unlink(missing_ok=True)
    if purge:
        # Every publish (in gunicorn or the scheduler) purges the cache (config/surrogates.py);
        # a command run beside the server is told where by the file (PORTAL_CACHE_PURGE_URLS).
        env["PORTAL_CACHE_PURGE_URLS"] = f"http://{purge}/"
        purge_url_file.write_text(env["PORTAL_CACHE_PURGE_URLS"] + "\n")
    rate_limit = os.environ.get("PORTAL_API_RATE_LIMIT", DEFAULT_API_RATE_LIMIT)
    conf = nginx_conf(run_dir, args.host, args.port, upstream, rate_limit, cache)
    nginx = nginx_binary()
    subprocess.run([nginx, "-t", "-q", "-e", "stderr", "-p", str(run_dir), "-c", str(conf)],
                   check=True)  # fmt: skip

    processes: list[subprocess.Popen] = []
    home = None

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
        if cache:
            home = varnish_home(run_dir)
            vcl = varnish_vcl(home, upstream)
            processes.append(
                subprocess.Popen(
                    varnish_command(home, vcl, cache, purge), cwd=ROOT, start_new_session=True
                )
            )
            wait_for_port(cache, processes[-1])
        # Until it has read its configuration nginx writes to the terminal (-e stderr); from
        # then on to the error log the configuration names, in the run folder.
        nginx_process = subprocess.Popen(
            [nginx, "-e", "stderr", "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"],
            cwd=ROOT,
            start_new_session=True,
        )  # fmt: skip
        processes.append(nginx_process)
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
            f"The portal is at {url}/ (nginx in front of "
            f"{'gunicorn' if args.no_cache else 'Varnish and gunicorn'}, production settings, "
            f"run by {getpass.getuser()}), with the scheduler running. "
            f"Logs: {run_dir / 'access.log'} and {run_dir / 'error.log'}, a file a day, "
            f"kept {log_days} days. "
            "Ctrl-C stops it.",
            flush=True,
        )
        # The cache is not essential: while it is down nginx goes to gunicorn, only slower.
        essential = [p for p in processes if "varnishd" not in str(p.args[0])]
        cache_down_said = False
        while all(p.poll() is None for p in essential):
            if not cache_down_said and any(p.poll() is not None for p in processes):
                print("Varnish stopped: nginx serves from gunicorn alone.", file=sys.stderr)
                cache_down_said = True
            time.sleep(0.5)
            if datetime.date.today() != log_day:  # midnight: a new day's logs
                logs_rotate(run_dir, log_day)
                os.kill(nginx_process.pid, signal.SIGUSR1)  # nginx reopens its logs
                log_day = datetime.date.today()
                logs_expire(run_dir, log_day, log_days)
        stopped = next(p for p in essential if p.poll() is not None)
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
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
