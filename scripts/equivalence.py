"""Prove that a change to the code changed nothing a resident or an API client can see.

Every public page and API answer is asked for, in process, with Django's test Client
against the configured database (DATABASE_URL, postgis:///portal by default, holding the
real open data: `make data`), and its status, a few headers and its body are recorded.
Two recordings are then compared, request by request. It is for restructurings (moving
code between modules): the two recordings must be identical.

    python scripts/equivalence.py record OUTDIR [--postcodes 2000] [--seed 2026]
    python scripts/equivalence.py compare DIR_A DIR_B
    python scripts/equivalence.py check --base REV [--postcodes N]

`record` writes OUTDIR/manifest.json (every request with its status, headers, cookies and
the SHA-256 of its normalised body) and OUTDIR/bodies/<sha256> (each distinct normalised
body once), so that `compare` can show a diff. The requests are the same in every run over
the same data: the postcode sample is drawn with --seed from the database's postcodes in
order, and the pages' slugs and codes are read from the database in order.

`compare` exits 1 if any request differs in status, headers, cookies or body, or if one
recording has a request the other lacks; 0 if they are identical.

`check` does the whole thing in one command: a detached `git worktree` of REV in a temporary
folder, then for REV and for this working tree in turn, `manage.py recompute_answers` with
that tree's code (so the stored answers are the ones that code writes) and a recording
made with that tree's code (this script, copied out, run with that tree first on the
path: REV may predate it), then `compare`. The database is left with this tree's answers.
It exits as `compare` does, or 2 if a step failed (a tree whose recompute_answers or
Django setup breaks). Over the real data a recording is about 2,500 requests and takes
5-10 s on 2 cores; `check` about half a minute.

What differs between two runs of the same code, and is therefore normalised before hashing
(found by recording the same code twice):

- the Content-Security-Policy nonce, new for every request: `nonce="…"` attributes in
  pages and `'nonce-…'` in the header;
- CSRF tokens, new for every request: `csrfmiddlewaretoken` values in forms, and the
  values of the csrftoken and sessionid cookies (whether a cookie is set, and its
  attributes, are kept: residents get none);
- the order of the Content-Security-Policy's directives, which django-csp takes from a set
  of their names, so it changes from one process to the next (string hashing is seeded
  per process): sorted;
- the order of the methods in Allow (a 405's), which django-ninja collects in a set: sorted.

Nothing else had to be. The requests' own order is fixed, so the in-process caches fill
alike; the boundary versions' dates and the data's release dates come from the database;
--today fixes the date the `?on=` requests ask about, so that `check` asks both trees about
the same day (the practice pages' memberships are worded as of the day the code runs).
"""

import argparse
import datetime
import difflib
import hashlib
import json
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent

MANIFEST = "manifest.json"
BODIES = "bodies"
FORMAT = 1

# The headers that are behaviour: what a browser, a proxy or an API client acts on. Date,
# Content-Length and the like follow from these and the body. The CORS preflight's and the
# security headers are set by middleware outside the apps, but an app's code can still
# change them (a response that sets its own, a path that moves out of /api/).
HEADERS = (
    "Content-Type",
    "Cache-Control",
    "Location",
    "Allow",
    "Content-Disposition",
    "Access-Control-Allow-Origin",
    "Content-Security-Policy",
    "Vary",
    "Retry-After",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Cross-Origin-Resource-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
)
# Cookies whose values are new on every request; that they are set is still compared.
TOKEN_COOKIES = {"csrftoken", "sessionid"}

# How much of each difference `compare` prints.
MAX_DIFFERENCES = 20
MAX_DIFF_LINES = 40

DEFAULT_POSTCODES = 2000
DEFAULT_SEED = 2026
# Sample postcodes also asked through the lookup page (the first of the sample).
PAGE_SAMPLE = 200

# The City of London and Hackney: postcodes of theirs are in the area, others are not.
AREA_AUTHORITIES = ("E09000001", "E09000012")


# --- Normalising ------------------------------------------------------------------------------

NONCE_ATTRIBUTE = re.compile(rb"""\bnonce=(["'])[^"']*\1""")
NONCE_SOURCE = re.compile(r"'nonce-[^']*'")
CSRF_INPUT = re.compile(
    rb"""(name=["']csrfmiddlewaretoken["'][^>]*?\bvalue=)(["'])[^"']*\2"""
    rb"""|(value=)(["'])[^"']*\4([^>]*?name=["']csrfmiddlewaretoken["'])"""
)


def _csrf_input(match: re.Match) -> bytes:
    if match.group(1) is not None:
        return match.group(1) + match.group(2) + b"CSRF" + match.group(2)
    return match.group(3) + match.group(4) + b"CSRF" + match.group(4) + match.group(5)


def normalise_body(body: bytes) -> bytes:
    """The body with what is new on every request (CSP nonces, CSRF tokens) made constant."""
    body = NONCE_ATTRIBUTE.sub(lambda m: b"nonce=" + m.group(1) + b"NONCE" + m.group(1), body)
    return CSRF_INPUT.sub(_csrf_input, body)


def normalise_header(name: str, value: str) -> str:
    """A header's value with what varies between runs made constant. The Content-Security-
    Policy's nonce is new on every request, and django-csp writes its directives in an order
    that changes from one process to the next (it iterates over a set of their names): the
    same policy either way, so the directives are sorted (each one's sources keep their
    order). Allow lists the methods in an order that changes from one process to the next
    too (django-ninja collects them in a set): sorted."""
    if name.lower() == "allow":
        return ", ".join(sorted(method.strip() for method in value.split(",")))
    if name.lower() != "content-security-policy":
        return value
    value = NONCE_SOURCE.sub("'nonce-NONCE'", value)
    directives = (directive.strip() for directive in value.split(";"))
    return "; ".join(sorted(directive for directive in directives if directive))


def normalise_cookie(name: str, morsel: str) -> str:
    """A cookie as sent (Set-Cookie's value), with a token's value made constant."""
    if name in TOKEN_COOKIES:
        return re.sub(rf"^{re.escape(name)}=[^;]*", f"{name}=TOKEN", morsel)
    return morsel


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- What is asked ----------------------------------------------------------------------------


class Request(NamedTuple):
    """One request. `key` names it in a recording: two recordings are matched by key."""

    name: str
    method: str
    path: str
    body: str | None = None  # sent as application/json
    headers: tuple[tuple[str, str], ...] = ()  # sent too (an Origin, for CORS)

    @property
    def key(self) -> str:
        key = f"{self.method} {self.path}"
        if self.body is not None:  # the body itself when it is short enough to read
            shown = self.body if len(self.body) <= 80 else f"sha256:{sha256(self.body.encode())}"
            key += f" {shown or '(empty body)'}"
        if self.headers:
            key += " [" + "; ".join(f"{name}: {value}" for name, value in self.headers) + "]"
        return key


def api_postcode(postcode: str, query: str = "", prefix: str = "/api/v1") -> str:
    return f"{prefix}/postcodes/{quote(postcode, safe='')}{query}"


def lookup(**params: str) -> str:
    return "/lookup/?" + urlencode(params)


# Postcodes for each outcome of a lookup, beside the ones read from the database.
IN_AREA = "E8 1DY"
NON_LONDON = ["M1 1AE", "EH1 1YZ"]  # well formed, outside the postcode areas held
OTHER_AREA = "SW1A 1AA"  # in London, but not in the E, EC, N or WC areas held
NOT_HELD = "E8 9ZZ"  # well formed, in an area held, but no such postcode
DISTRICTS = ["E8", "N16", "E1", "EC1A", "N1", "E5"]
PARTIAL = ["E8 1D", "N16 9"]
NOT_POSTCODES = ["not a postcode", "12345", "E8 1DYX", "<script>", "ZZ99 9ZZZ"]
ODD_FORMS = ["e81dy", " E8 1DY ", "E8-1DY", "e8  1dy", "E8\t1DY"]

# Points: (name, lat, lon).
POINTS = [
    ("in City and Hackney (London Fields)", "51.5465", "-0.0553"),
    ("in the City of London", "51.5155", "-0.0922"),
    ("in London outside City and Hackney (Westminster)", "51.501", "-0.1419"),
    ("in Great Britain outside London (Manchester)", "53.4808", "-2.2426"),
    ("outside Great Britain (Paris)", "48.8566", "2.3522"),
    ("latitude and longitude swapped", "-0.0553", "51.5465"),
    ("not numbers", "abc", "def"),
    ("out of range", "95", "-0.05"),
    ("empty", "", ""),
]

EARLY_DATE = "2000-01-01"  # before the first boundary version
BAD_DATES = ["2026-13-45", "yesterday", "05/12/2026"]


def requests_for(facts: dict[str, Any], today: str) -> list[Request]:
    """Every request, in order, from what was read from the database (`facts`)."""
    sample: list[str] = facts["sample"]
    out: list[Request] = []

    def get(name: str, path: str) -> None:
        out.append(Request(name, "GET", path))

    # Pages.
    for name, path in [
        ("home", "/"),
        ("partners", "/partners/"),
        ("workstreams", "/workstreams/"),
        ("neighbourhoods", "/neighbourhoods/"),
        ("map", "/neighbourhoods/map/"),
        ("practice search, nothing asked", "/practices/"),
        ("lookup, nothing asked", "/lookup/"),
        ("about the data", "/about-the-data/"),
        ("contact", "/contact/"),
        ("accessibility", "/accessibility/"),
        ("privacy", "/privacy/"),
        ("404", "/no-such-page/"),
        ("404 under a section", "/partners/no-such-partner/"),
        ("unknown neighbourhood", "/neighbourhoods/no-such-neighbourhood/"),
        ("unknown workstream", "/workstreams/no-such-workstream/"),
        ("unknown place", "/places/no-such-place/"),
        ("no trailing slash", "/partners"),
    ]:
        get(name, path)
    for slug in facts["partners"]:
        get("partner", f"/partners/{slug}/")
    for slug in facts["places"]:
        get("place", f"/places/{slug}/")
    for slug in facts["workstreams"]:
        get("workstream", f"/workstreams/{slug}/")
    for slug in facts["neighbourhoods"]:
        get("neighbourhood", f"/neighbourhoods/{slug}/")
    for code in facts["practices"]:
        get("practice", f"/practices/{code}/")
    if facts["practices"]:
        code = facts["practices"][0]
        get("practice code in lower case (redirect)", f"/practices/{code.lower()}/")
        get("practice code in mixed case (redirect)", f"/practices/{code[0].lower()}{code[1:]}/")
    get("unknown practice", "/practices/Z99999/")
    get("malformed practice code", "/practices/not-a-code/")

    searches = ["london fields", "londn feilds", "homerton", "a", "N16", "E8", "", " ", "x" * 101]
    searches += facts["practice_search"]  # a name, its ODS code and its postcode, from the DB
    for query in searches:
        get("practice search", "/practices/?" + urlencode({"q": query}))

    # The lookup page, every outcome.
    outcomes = [
        IN_AREA,
        *facts["outside"],
        OTHER_AREA,
        *NON_LONDON,
        NOT_HELD,
        *facts["terminated"],
        *DISTRICTS,
        *PARTIAL,
        *NOT_POSTCODES,
        "",
        *ODD_FORMS,
    ]
    for postcode in outcomes:
        get("lookup page", lookup(postcode=postcode))
    for name, lat, lon in POINTS:
        get(f"lookup page, point {name}", lookup(lat=lat, lon=lon))
    get("lookup page, latitude alone", lookup(lat="51.5465"))
    for postcode in sample[:PAGE_SAMPLE]:
        get("lookup page, sample", lookup(postcode=postcode))

    # The API: postcodes.
    for postcode in sample:
        get("api postcode, sample", api_postcode(postcode))
    for postcode in outcomes:
        if postcode.strip():  # an empty path segment is another address (below)
            get("api postcode", api_postcode(postcode))
    get("api postcode, nothing", "/api/v1/postcodes/")
    get("api postcode, spaces only", api_postcode("   "))
    for postcode in [IN_AREA, *facts["outside"], NOT_HELD, *sample[:5]]:
        for on in [today, EARLY_DATE, *BAD_DATES]:
            get("api postcode on a date", api_postcode(postcode, "?on=" + quote(on)))
    get("api postcode, district, on a date", api_postcode("E8", "?on=" + today))

    bulk_good = [IN_AREA, "e81dy", "N16 9JT", *facts["outside"], NOT_HELD, "E8", "E8 1D"]
    bulk_good += [*NON_LONDON, "not a postcode", "", *facts["terminated"], *sample[:20]]
    bulk_bodies = [
        ("good", json.dumps({"postcodes": bulk_good})),
        ("one", json.dumps({"postcodes": [IN_AREA]})),
        ("exactly 100", json.dumps({"postcodes": (sample * 100)[:100] if sample else []})),
        ("too many", json.dumps({"postcodes": [IN_AREA] * 101})),
        ("none", json.dumps({"postcodes": []})),
        ("not JSON", "postcodes=E8 1DY"),
        ("wrong key", json.dumps({"postcode": [IN_AREA]})),
        ("a string, not a list", json.dumps({"postcodes": IN_AREA})),
        ("numbers", json.dumps({"postcodes": [1, 2]})),
        ("a list, not an object", json.dumps([IN_AREA])),
        ("empty body", ""),
    ]
    for name, body in bulk_bodies:
        out.append(Request(f"api bulk postcodes, {name}", "POST", "/api/v1/postcodes", body))
    get("api bulk postcodes asked with GET", "/api/v1/postcodes")

    # Points.
    for name, lat, lon in POINTS:
        get(f"api point {name}", "/api/v1/points?" + urlencode({"lat": lat, "lon": lon}))
    get("api point, latitude alone", "/api/v1/points?lat=51.5465")
    get("api point, nothing", "/api/v1/points")
    for on in [today, EARLY_DATE, *BAD_DATES]:
        for _, lat, lon in POINTS[:3]:
            params = urlencode({"lat": lat, "lon": lon, "on": on})
            get("api point on a date", "/api/v1/points?" + params)

    # Districts.
    for outcode in [*DISTRICTS, "e8", "SW1A", "M1", "ZZ9", "E8 1DY", "E81DY", "not-one"]:
        get("api outcode", f"/api/v1/outcodes/{quote(outcode, safe='')}")

    # Areas.
    for query in ["", "?simplified=1", "?simplified=true", "?simplified=0", "?simplified=false",
                  "?simplified=maybe", f"?on={today}", f"?on={today}&simplified=1",
                  f"?on={EARLY_DATE}", "?on=2026-13-45"]:  # fmt: skip
        get("api neighbourhoods", "/api/v1/neighbourhoods" + query)
    for slug in facts["neighbourhoods"]:
        get("api neighbourhood", f"/api/v1/neighbourhoods/{slug}")
        get("api neighbourhood simplified", f"/api/v1/neighbourhoods/{slug}?simplified=1")
    get("api neighbourhood, unknown", "/api/v1/neighbourhoods/no-such-neighbourhood")
    get("api neighbourhood, not a slug", "/api/v1/neighbourhoods/NOT%20A%20SLUG")
    get("api practices", "/api/v1/practices")
    get("api boundary versions", "/api/v1/boundary-versions")
    for version in facts["boundary_versions"]:
        get("api boundary version", f"/api/v1/boundary-versions/{version}/neighbourhoods")
        get(
            "api boundary version simplified",
            f"/api/v1/boundary-versions/{version}/neighbourhoods?simplified=1",
        )
    for version in ["999999", "0", "abc", "99999999999"]:
        get("api boundary version, unknown", f"/api/v1/boundary-versions/{version}/neighbourhoods")

    # Downloads, the description, the alias, HEAD, unknown addresses.
    get("api postcodes download", "/api/v1/postcodes.csv")
    get("api areas download", "/api/v1/neighbourhoods.geojson")
    get("api description", "/api/openapi.json")
    get("api description, versioned", "/api/v1/openapi.json")
    get("api docs (none)", "/api/docs")
    for path in [
        "/api/postcodes/E81DY",
        "/api/postcodes/E8%201DY",
        "/api/postcodes/E8",
        "/api/points?lat=51.5465&lon=-0.0553",
        "/api/outcodes/E8",
        "/api/neighbourhoods?simplified=1",
        "/api/practices",
        "/api/boundary-versions",
        "/api/postcodes.csv",
    ]:
        get("api alias", path)
    out.append(
        Request("api alias bulk", "POST", "/api/postcodes", json.dumps({"postcodes": [IN_AREA]}))
    )
    for path in [api_postcode(IN_AREA), api_postcode(NOT_HELD), "/api/v1/postcodes.csv", "/"]:
        out.append(Request("HEAD", "HEAD", path))
    out.append(Request("api postcode asked with DELETE", "DELETE", api_postcode(IN_AREA)))

    # Another site's page asking (CORS): the API answers it, the pages do not.
    origin = ("Origin", "https://example.org")
    preflight = (origin, ("Access-Control-Request-Method", "GET"))
    for name, path in [("api", api_postcode(IN_AREA)), ("page", lookup(postcode=IN_AREA))]:
        out.append(Request(f"{name} from another origin", "GET", path, headers=(origin,)))
        out.append(Request(f"{name} CORS preflight", "OPTIONS", path, headers=preflight))
    out.append(
        Request(
            "api bulk postcodes from another origin", "POST", "/api/v1/postcodes",
            json.dumps({"postcodes": [IN_AREA]}), headers=(origin,),
        )
    )  # fmt: skip
    get("api unknown", "/api/v1/no-such-thing")
    get("api unknown version", "/api/v2/postcodes/E81DY")
    get("api root", "/api/")

    # One of each, once: a request asked twice would be one key.
    seen: set[str] = set()
    unique = []
    for request in out:
        if request.key not in seen:
            seen.add(request.key)
            unique.append(request)
    return unique


def choose_sample(postcodes: list[str], size: int, seed: int) -> list[str]:
    """`size` of the postcodes, drawn with `seed` from them in order (so the same whatever
    order the database returned them in), in order."""
    everything = sorted(postcodes)
    return sorted(random.Random(seed).sample(everything, min(size, len(everything))))


def read_facts(postcodes: int, seed: int) -> dict[str, Any]:
    """What the requests are made from, read from the database in a fixed order. Plain SQL
    on the tables rather than the models, so it reads the same whichever module the models
    live in."""
    from django.db import connection

    def column(sql: str, params: tuple = ()) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    sample = choose_sample(column("SELECT postcode FROM neighbourhoods_postcode"), postcodes, seed)
    outside = column(
        "SELECT postcode FROM neighbourhoods_postcode WHERE local_authority_code <> ALL(%s) "
        "AND NOT terminated ORDER BY postcode LIMIT 2",
        (list(AREA_AUTHORITIES),),
    )
    terminated = column(
        "SELECT postcode FROM neighbourhoods_postcode WHERE terminated ORDER BY postcode LIMIT 2"
    )
    practices = column("SELECT ods_code FROM neighbourhoods_practice ORDER BY ods_code")
    practice_search: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, ods_code, postcode FROM neighbourhoods_practice "
            "WHERE closed_on IS NULL ORDER BY ods_code LIMIT 1"
        )
        row = cursor.fetchone()
        if row:
            practice_search = [row[0], row[0].upper(), row[1], row[1].lower(), row[2]]
    return {
        "sample": sample,
        "outside": outside,
        "terminated": terminated,
        "practices": practices,
        "practice_search": practice_search,
        "partners": column("SELECT slug FROM partnership_partnerorganisation ORDER BY slug"),
        "places": column("SELECT slug FROM partnership_place ORDER BY slug"),
        "workstreams": column("SELECT slug FROM workstreams_workstream ORDER BY slug"),
        "neighbourhoods": column("SELECT slug FROM neighbourhoods_neighbourhood ORDER BY slug"),
        "boundary_versions": [
            str(pk) for pk in column("SELECT id FROM neighbourhoods_boundaryversion ORDER BY id")
        ],
    }


# --- Recording --------------------------------------------------------------------------------


def setup_django(root: Path) -> None:
    """Django with the code of the tree at `root`, against the configured database (no test
    database: the real data is what is asked about)."""
    os.chdir(root)
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    # Every 4xx would be a warning line; a 500 is still logged, with its traceback.
    logging.getLogger("django.request").setLevel(logging.ERROR)


def ask(client, request: Request):
    headers = dict(request.headers)
    if request.method == "POST":
        return client.post(
            request.path, data=request.body or "", content_type="application/json", headers=headers
        )
    return client.generic(request.method, request.path, headers=headers)


def response_record(response) -> tuple[dict[str, Any], bytes]:
    """The recorded parts of a response, and its normalised body."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    body = normalise_body(body)
    headers = {
        name: normalise_header(name, response[name])
        for name in HEADERS
        if response.has_header(name)
    }
    cookies = {
        name: normalise_cookie(name, morsel.OutputString())
        for name, morsel in sorted(response.cookies.items())
    }
    record = {"status": response.status_code, "headers": headers, "cookies": cookies}
    exc_info = getattr(response, "exc_info", None)
    if exc_info:  # the code raised: say what, beside the 500 page
        record["exception"] = f"{exc_info[0].__name__}: {exc_info[1]}"
    record["sha256"] = sha256(body)
    record["size"] = len(body)
    return record, body


def store_body(outdir: Path, body: bytes) -> str:
    """Keep a normalised body under its SHA-256 (each distinct body once); returns the hash."""
    digest = sha256(body)
    path = outdir / BODIES / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return digest


def write_manifest(outdir: Path, entries: list[dict], **about: Any) -> None:
    """The recording's index: what was asked and how it was asked, then every request."""
    manifest = {"format": FORMAT, **about, "requests": entries}
    (outdir / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def record(outdir: Path, postcodes: int, seed: int, today: str, root: Path = ROOT) -> int:
    """Ask every request and write the recording; returns how many were asked."""
    setup_django(root)
    from django.test import Client

    started = time.monotonic()
    outdir.mkdir(parents=True, exist_ok=True)
    facts = read_facts(postcodes, seed)
    requests = requests_for(facts, today)
    # SERVER_NAME: a host ALLOWED_HOSTS admits without the test runner's "testserver".
    client = Client(raise_request_exception=False, SERVER_NAME="localhost")
    entries = []
    print(f"Recording {len(requests)} requests into {outdir}", flush=True)
    failed = 0
    for number, request in enumerate(requests, start=1):
        client.cookies.clear()  # each request as a new visitor's
        try:
            entry, body = response_record(ask(client, request))
        except Exception as exc:  # noqa: BLE001
            # Not even a 500 page came back (code that cannot import its URLs, say): kept as
            # what was raised, so that a broken tree is a difference, not a crash.
            if not failed:
                traceback.print_exc()
            failed += 1
            body = b""
            entry = {"status": None, "headers": {}, "cookies": {},
                     "exception": f"{type(exc).__name__}: {exc}", "sha256": sha256(body),
                     "size": 0}  # fmt: skip
        store_body(outdir, body)
        entries.append({"key": request.key, "name": request.name, **entry})
        if number % 250 == 0 or number == len(requests):
            print(f"  recorded {number}/{len(requests)}", flush=True)
    seconds = round(time.monotonic() - started, 1)
    notes = [] if facts["terminated"] else ["No terminated postcode in the database."]
    write_manifest(outdir, entries, postcodes=postcodes, seed=seed, today=today,
                   root=str(root), seconds=seconds, notes=notes)  # fmt: skip
    print(f"Recorded {len(entries)} requests in {seconds} s", flush=True)
    if failed:
        print(f"{failed} of them raised rather than answer (the first's traceback is above).")
    return len(entries)


# --- Comparing --------------------------------------------------------------------------------


def load(directory: Path) -> dict[str, Any]:
    manifest = json.loads((directory / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise SystemExit(f"{directory} is not a recording this script writes (format {FORMAT}).")
    return manifest


def readable(body: bytes) -> list[str]:
    """A body as lines to diff: JSON laid out one value a line (an API answer is one long
    line), anything else as it is."""
    text = body.decode("utf-8", errors="replace")
    try:
        value = json.loads(text)
    except ValueError:
        return text.splitlines()
    if not isinstance(value, dict | list):
        return text.splitlines()
    return json.dumps(value, indent=1, ensure_ascii=False).splitlines()


def body_diff(dir_a: Path, dir_b: Path, entry_a: dict, entry_b: dict) -> list[str]:
    def lines(directory: Path, entry: dict) -> list[str]:
        path = directory / BODIES / entry["sha256"]
        return readable(path.read_bytes()) if path.exists() else ["(body not recorded)"]

    diff = list(
        difflib.unified_diff(
            lines(dir_a, entry_a),
            lines(dir_b, entry_b),
            fromfile=f"{dir_a.name} body",
            tofile=f"{dir_b.name} body",
            n=2,
            lineterm="",
        )
    )
    if not diff:  # the same text laid out differently: the bytes differ, not the value
        return ["(the bodies differ only in layout: the same JSON, written differently)"]
    if len(diff) > MAX_DIFF_LINES:
        more = len(diff) - MAX_DIFF_LINES
        diff = diff[:MAX_DIFF_LINES] + [f"... {more} more lines of diff"]
    return diff


def differences(a: dict, b: dict) -> list[str]:
    """Which parts of one request's two records differ."""
    parts = [
        part for part in ("status", "headers", "cookies", "exception") if a.get(part) != b.get(part)
    ]
    if a["sha256"] != b["sha256"]:
        parts.append("body")
    return parts


def shown_first(changed: list[tuple[str, list[str]]], by_key: dict) -> list[tuple[str, list]]:
    """The differences in the order to show them: the first of each kind (the same request
    name and the same parts differing) before any second, so that the few shown cover every
    kind rather than 20 sample postcodes that differ in the same way."""
    seen: set[tuple] = set()
    first, rest = [], []
    for key, parts in changed:
        kind = (by_key[key]["name"], tuple(parts))
        (rest if kind in seen else first).append((key, parts))
        seen.add(kind)
    return first + rest


def describe(dir_a: Path, dir_b: Path, entry_a: dict, entry_b: dict, parts: list[str]):
    """The lines that show how one request's two records differ."""
    yield f"DIFFERENT ({', '.join(parts)}): {entry_a['key']}  [{entry_a['name']}]"
    for part in ("status", "exception"):
        if part in parts:
            yield f"  {part}: A {json.dumps(entry_a.get(part))}"
            yield f"  {part}: B {json.dumps(entry_b.get(part))}"
    for part in ("headers", "cookies"):
        if part in parts:  # only the headers (or cookies) that differ
            values_a, values_b = entry_a.get(part) or {}, entry_b.get(part) or {}
            for name in sorted(set(values_a) | set(values_b)):
                if values_a.get(name) != values_b.get(name):
                    yield f"  {part[:-1]} {name}: A {json.dumps(values_a.get(name))}"
                    yield f"  {part[:-1]} {name}: B {json.dumps(values_b.get(name))}"
    if "body" in parts:
        for line in body_diff(dir_a, dir_b, entry_a, entry_b):
            yield f"  {line}"


def compare(dir_a: Path, dir_b: Path, out=None) -> int:
    """Print what differs between two recordings; 1 if anything does, 0 if nothing."""
    out = out or sys.stdout
    a, b = load(dir_a), load(dir_b)
    by_key_a = {entry["key"]: entry for entry in a["requests"]}
    by_key_b = {entry["key"]: entry for entry in b["requests"]}
    only_a = [key for key in by_key_a if key not in by_key_b]
    only_b = [key for key in by_key_b if key not in by_key_a]
    both = [key for key in by_key_a if key in by_key_b]
    changed = []
    for key in both:
        parts = differences(by_key_a[key], by_key_b[key])
        if parts:
            changed.append((key, parts))

    def say(text: str = "") -> None:
        print(text, file=out)

    say(f"A: {dir_a} ({len(by_key_a)} requests)")
    say(f"B: {dir_b} ({len(by_key_b)} requests)")
    say(f"{len(both)} requests in both, {len(both) - len(changed)} identical, "
        f"{len(changed)} different; {len(only_a)} only in A, {len(only_b)} only in B.")  # fmt: skip
    for label, keys in (("Only in A", only_a), ("Only in B", only_b)):
        for key in keys[:MAX_DIFFERENCES]:
            say(f"{label}: {key}")
        if len(keys) > MAX_DIFFERENCES:
            say(f"{label}: ... and {len(keys) - MAX_DIFFERENCES} more")
    if changed:
        kinds = Counter(f"{by_key_a[key]['name']} ({', '.join(parts)})" for key, parts in changed)
        say()
        say("Different, by kind of request (and the parts that differ):")
        for kind, count in kinds.most_common():
            say(f"  {count:5d}  {kind}")
    for key, parts in shown_first(changed, by_key_a)[:MAX_DIFFERENCES]:
        say()
        for line in describe(dir_a, dir_b, by_key_a[key], by_key_b[key], parts):
            say(line)
    if len(changed) > MAX_DIFFERENCES:
        say()
        say(f"... and {len(changed) - MAX_DIFFERENCES} more different requests not shown.")
    identical = not (changed or only_a or only_b)
    say()
    say("IDENTICAL" if identical else "DIFFERENT")
    return 0 if identical else 1


# --- The whole check --------------------------------------------------------------------------


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    print(f"$ {' '.join(command)}  (in {cwd})", flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True)


def check(base: str, postcodes: int, seed: int, keep: Path | None) -> int:
    """Record REV and this tree, each with its own code and its own stored answers, and
    compare them: 0 if identical, 1 if anything differs, 2 if a step failed."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if found.returncode != 0:
        print(f"[check] {base} is not a commit in {ROOT}", file=sys.stderr)
        return 2
    revision = found.stdout.strip()
    # Asked once, so both trees are asked about the same day even across midnight.
    today = datetime.date.today().isoformat()
    work = Path(tempfile.mkdtemp(prefix="equivalence-"))
    recordings = keep or work / "recordings"
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    env.setdefault("DATABASE_URL", "postgis:///portal")
    # The base tree is elsewhere, so its settings' default (../shared/data beside it) would
    # miss the data: both read this tree's.
    env.setdefault("PORTAL_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    env.pop("PYTHONPATH", None)
    # The recorder, copied out into a folder of its own (its folder is first on its path):
    # REV may not have this script, and each tree's own code must be what is recorded.
    script = work / "recorder" / "equivalence.py"
    script.parent.mkdir()
    shutil.copy2(Path(__file__).resolve(), script)
    tree = work / "tree"
    started = time.monotonic()
    status = 2
    try:
        print(f"[check] worktree of {base} ({revision[:12]}) in {tree}", flush=True)
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(tree), revision],
            cwd=ROOT, check=True,
        )  # fmt: skip
        for label, root in (("base", tree), ("current", ROOT)):
            print(f"[check] {label}: recompute_answers with {root}'s code", flush=True)
            # The base tree has no node_modules (not in git): its system checks would warn
            # about the missing static folder, which nothing recorded reads.
            skip = ["--skip-checks"] if root == tree else []
            run([sys.executable, "manage.py", "recompute_answers", *skip], root, env)
            print(f"[check] {label}: recording with {root}'s code", flush=True)
            run(
                [sys.executable, str(script), "record", str(recordings / label),
                 "--postcodes", str(postcodes), "--seed", str(seed), "--today", today,
                 "--root", str(root)],
                root, env,
            )  # fmt: skip
        print(f"[check] comparing base ({revision[:12]}) with the working tree", flush=True)
        status = compare(recordings / "base", recordings / "current")
    except subprocess.CalledProcessError as failure:
        print(f"[check] FAILED: {' '.join(map(str, failure.cmd))} exited {failure.returncode}")
        print("[check] The database's stored answers may be the base's: run "
              "`manage.py recompute_answers` with this tree once it works.")  # fmt: skip
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)  # the recordings too, unless --keep
    print(f"[check] done in {time.monotonic() - started:.0f} s", flush=True)
    if keep is not None:
        print(f"[check] recordings kept in {keep}/base and {keep}/current", flush=True)
    elif status == 1:
        print("[check] run again with --keep DIR to keep both recordings", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    recorder = commands.add_parser("record", help="record every request's answer into OUTDIR")
    recorder.add_argument("outdir", type=Path)
    recorder.add_argument("--postcodes", type=int, default=DEFAULT_POSTCODES)
    recorder.add_argument("--seed", type=int, default=DEFAULT_SEED)
    recorder.add_argument(
        "--today", default=None, help="the date ?on= asks about as today (default: today)"
    )
    recorder.add_argument(
        "--root", type=Path, default=ROOT, help="the tree whose code answers (default: this one)"
    )

    comparer = commands.add_parser("compare", help="compare two recordings")
    comparer.add_argument("dir_a", type=Path)
    comparer.add_argument("dir_b", type=Path)

    checker = commands.add_parser("check", help="record REV and this tree, and compare")
    checker.add_argument("--base", required=True, help="the commit whose answers must not change")
    checker.add_argument("--postcodes", type=int, default=DEFAULT_POSTCODES)
    checker.add_argument("--seed", type=int, default=DEFAULT_SEED)
    checker.add_argument("--keep", type=Path, help="keep the two recordings in this folder")

    args = parser.parse_args(argv)
    # `compare A B | head` should stop quietly, not end in a BrokenPipeError.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if args.command == "record":
        if args.outdir.exists() and any(args.outdir.iterdir()):
            parser.error(f"{args.outdir} is not empty: record into a new folder")
        today = args.today or datetime.date.today().isoformat()
        record(args.outdir.resolve(), args.postcodes, args.seed, today, args.root.resolve())
        return 0
    if args.command == "compare":
        return compare(args.dir_a, args.dir_b)
    return check(args.base, args.postcodes, args.seed, args.keep.resolve() if args.keep else None)


if __name__ == "__main__":
    sys.exit(main())
