"""Benchmark: dossiers received per second through ``POST /api/v1/dossiers/`` at concurrency.

Usage::

    CAICACH_DATA_DIR=/tmp/intake-data .venv/bin/python bench/bench_intake.py \
        [--dossiers 20000] [--warmup 1000] [--clients 32] [--workers 3] [--threads 8] \
        [--attachments 0.1] [--out bench/results/intake.json]

What it does:

1. prepares its database (``migrate`` and ``demo load``, both idempotent) and one bench receiver
   per client at a desk drawn as in a province (provincial service centre and its branches,
   departments, commune desks: the routes of ``caicach demo generate``);
2. starts ``caicach serve`` (gunicorn + the Procrastinate worker) on a free loopback port;
3. each client signs in through the login page (session cookie + CSRF token, as a browser or a
   counter application does) and sends receipts back to back on one HTTP/1.1 keep-alive
   connection (asyncio, raw sockets: the load generator stays light on the shared cores): a
   procedure handled at its desk, an applicant with a valid CCCD and phone (and an e-mail for
   some), the version's required components as store references, and for ``--attachments`` of
   them a small PDF in base64. A dropped connection is retried with the same Idempotency-Key;
4. reports the sustained rate and p50/p95/p99 latency of the measured phase (after the
   warm-up), errors by status, and checks in the database: exactly as many new dossiers as
   201 answers (no loss, no duplicate), each complete (applicant, components, event, clock
   entries, audit entry, outbox rows), codes gap-free per agency and day, the audit chain intact.

Goal (issue): at least 300 dossiers/s sustained with p95 under 150 ms at 32 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

GOAL_PER_SECOND = 300
GOAL_P95_MS = 150
REQUEST_TIMEOUT = 60.0
PASSWORD = "Tiep-Nhan-Ho-So@2026"  # meets the policy checked at sign-in
ROOT = Path(__file__).resolve().parent.parent

# A tiny valid one-page PDF (the service sniffs the first bytes; the size is that of a receipt
# stamp, not of a scan: the benchmark measures intake, not file storage throughput).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n" + b"%" + b"x" * 2000 + b"\n"
)


@dataclass
class Desk:
    """One counter: a bench receiver signed in at a receiving agency, and what it receives."""

    username: str
    agency: str
    procedures: list[tuple[str, list[int]]]  # (procedure code, required component ids)
    weights: list[float]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    codes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Database preparation (in this process, through Django)
# --------------------------------------------------------------------------------------------


def prepare(clients: int, seed: int) -> list[Desk]:
    """Migrate, load the demo province, and create one receiver per client at a weighted desk."""
    import django

    django.setup()
    from django.core.management import call_command

    from caicach.accounts.models import Role, RoleAssignment, User, UserKind
    from caicach.agencies.models import Agency
    from caicach.demo.generator import _routes
    from caicach.procedures.models import Procedure

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", "load", stdout=open(os.devnull, "w"))  # noqa: SIM115
    today = vn_today()
    rng = random.Random(seed)
    # Desk weights as in `demo generate`: each route (procedure x handling agency) spreads its
    # receipts over its desks; communes handle most dossiers by count of routes.
    offered: dict[int, dict[str, float]] = {}
    desk_weight: dict[int, float] = {}
    procedures = {p.pk: p for p in Procedure.objects.filter(is_active=True)}
    required: dict[str, list[int]] = {}
    for route in _routes():
        procedure = procedures[route.procedure_id]
        if procedure.code not in required:
            version = procedure.version_on(today)
            if version is None:
                continue
            required[procedure.code] = [c.pk for c in version.components.all() if c.required]
        for desk, weight in route.desks:
            if desk.valid_to is not None:
                continue
            offered.setdefault(desk.pk, {})
            offered[desk.pk][procedure.code] = offered[desk.pk].get(procedure.code, 0) + weight
            desk_weight[desk.pk] = desk_weight.get(desk.pk, 0.0) + weight
    ids = list(desk_weight)
    chosen = rng.choices(ids, weights=[desk_weight[i] for i in ids], k=clients)
    agencies = Agency.objects.in_bulk(set(chosen))
    desks = []
    for i, agency_id in enumerate(chosen):
        username = f"bench.intake.{i:02d}"
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": f"Bench {i}", "kind": UserKind.OFFICER}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        RoleAssignment.objects.filter(user=user).exclude(agency_id=agency_id).delete()
        RoleAssignment.objects.get_or_create(user=user, role=Role.RECEIVER, agency_id=agency_id)
        codes = sorted(offered[agency_id])
        desks.append(
            Desk(
                username,
                agencies[agency_id].code,
                [(code, required[code]) for code in codes],
                [offered[agency_id][code] for code in codes],
            )
        )
    return desks


def snapshot() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM dossiers_dossier")
        max_id, count = cursor.fetchone()
    return {"max_id": int(max_id), "count": int(count)}


def verify(before: dict[str, int], created_codes: list[str], keys: int) -> dict[str, Any]:
    """Check what the run left in the database."""
    from django.db import connection

    from caicach.core.audit import verify_chain

    checks: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT code) FROM dossiers_dossier WHERE id > %s",
            [before["max_id"]],
        )
        new, distinct = cursor.fetchone()
        checks["new_dossiers"] = new
        checks["created_answers"] = len(created_codes)
        checks["distinct_codes_answered"] = len(set(created_codes))
        checks["idempotency_keys"] = keys
        cursor.execute(
            "SELECT COUNT(*) FROM dossiers_dossier d WHERE d.id > %s AND d.code <> ALL(%s)",
            [before["max_id"], created_codes],
        )
        checks["dossiers_not_answered"] = cursor.fetchone()[0]
        # Gap-free: on each (agency, day) touched, numbers are exactly 1..last of the counter.
        cursor.execute(
            """
            WITH touched AS (
                SELECT DISTINCT receiving_agency_id, received_on FROM dossiers_dossier
                WHERE id > %s)
            SELECT COUNT(*) FILTER (WHERE n <> s.last OR top <> s.last OR n <> distinct_n),
                   COUNT(*)
            FROM touched t
            JOIN dossiers_dailysequence s
              ON s.agency_id = t.receiving_agency_id AND s.day = t.received_on
            JOIN LATERAL (
                SELECT COUNT(*) AS n, MAX(sequence) AS top, COUNT(DISTINCT sequence) AS distinct_n
                FROM dossiers_dossier d
                WHERE d.receiving_agency_id = t.receiving_agency_id
                  AND d.received_on = t.received_on) c ON TRUE
            """,
            [before["max_id"]],
        )
        gaps, days = cursor.fetchone()
        checks["agency_days"] = days
        checks["agency_days_with_gaps"] = gaps
        # Completeness of each new dossier.
        cursor.execute(
            """
            SELECT
              COUNT(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM dossiers_dossierevent e WHERE e.dossier_id = d.id)),
              COUNT(*) FILTER (WHERE (SELECT COUNT(*) FROM dossiers_clockentry c
                                      WHERE c.dossier_id = d.id) = 0),
              COUNT(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM dossiers_dossiercomponent c WHERE c.dossier_id = d.id)),
              COUNT(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM core_auditentry a WHERE a.object_type = 'dossiers.dossier'
                  AND a.object_id = d.id::text AND a.action = 'dossier.received')),
              COUNT(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM notifications_notification n WHERE n.dossier_id = d.id)),
              COUNT(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM dossiers_idempotencyrecord k WHERE k.dossier_id = d.id))
            FROM dossiers_dossier d WHERE d.id > %s
            """,
            [before["max_id"]],
        )
        names = ["no_event", "no_clock", "no_component", "no_audit", "no_outbox", "no_key"]
        checks["incomplete"] = dict(zip(names, cursor.fetchone(), strict=True))
    started = time.perf_counter()
    breaks = sum(1 for _ in verify_chain())
    checks["audit_chain_breaks"] = breaks
    checks["audit_verify_seconds"] = round(time.perf_counter() - started, 1)
    checks["ok"] = (
        new == len(created_codes) == len(set(created_codes)) == distinct
        and checks["dossiers_not_answered"] == 0
        and gaps == 0
        and not any(checks["incomplete"].values())
        and breaks == 0
    )
    return checks


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        # The worker sends the outbox while we measure; nothing leaves the machine.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SMS_BACKEND": "caicach.notifications.backends.FileSmsGateway",
        "SMS_FILE_PATH": os.devnull,
    }
    command = [
        sys.executable, "-m", "caicach", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--threads", str(threads), "--no-access-log",
    ]  # fmt: skip
    handle = log.open("wb")
    server = subprocess.Popen(
        command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"caicach serve exited ({server.returncode}); see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /tai-khoan/dang-nhap/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("caicach serve did not answer within 90 s")


def cpu_seconds(server_group: int) -> dict[str, float]:
    """CPU time used so far by the server's processes (gunicorn, worker) and by PostgreSQL
    (the postmaster of CAICACH_DATA_DIR and its backends), from /proc (Linux)."""
    pid_file = Path(os.environ["CAICACH_DATA_DIR"]) / "postgres" / "postmaster.pid"
    postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else -1
    tick = os.sysconf("SC_CLK_TCK")
    used = {"web": 0.0, "job_worker": 0.0, "postgres": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid, pgid = int(fields[1]), int(fields[2])
        cpu = (int(fields[11]) + int(fields[12])) / tick
        if pgid == server_group:
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            used["job_worker" if b"procrastinate" in command else "web"] += cpu
        elif ppid == postmaster or int(entry.name) == postmaster:
            used["postgres"] += cpu
    return used


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --------------------------------------------------------------------------------------------
# The clients: raw HTTP/1.1 with keep-alive on asyncio streams
# --------------------------------------------------------------------------------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", "Host: localhost", f"Content-Length: {len(body)}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        got: dict[str, str] = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                name = name.strip().lower()
                if name == "set-cookie":
                    cookie = value.strip().split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    self.cookies[key] = val
                got[name] = value.strip()
        payload = await self.reader.readexactly(int(got.get("content-length", "0")))
        if got.get("connection", "").lower() == "close":
            self.close()
        return status, got, payload


async def sign_in(conn: Connection, username: str) -> None:
    path = "/tai-khoan/dang-nhap/"
    status, _, _ = await conn.request("GET", path)
    assert status == 200, f"login page: {status}"
    form = urlencode(
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": conn.cookies["csrftoken"],
        }
    ).encode()
    status, _, body = await conn.request(
        "POST",
        path,
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://localhost/"},
    )
    assert status == 302 and "sessionid" in conn.cookies, f"login {username}: {status} {body!r}"


def payload(desk: Desk, rng: random.Random, attachments: float) -> bytes:
    from caicach.demo.generator import _person

    procedure, required = rng.choices(desk.procedures, weights=desk.weights)[0]
    name, cccd, phone, address = _person(rng, vn_today())
    applicant = {"kind": "person", "full_name": name, "id_number": cccd, "phone": phone}
    applicant["address"] = address
    if rng.random() < 0.3:
        applicant["email"] = f"cd{rng.randrange(10**9)}@example.vn"
    components: list[dict[str, Any]] = [
        {"component": c, "store_reference": f"KHO-{rng.randrange(10**10)}"} for c in required
    ]
    if not components:
        components = [{"name": "Đơn đề nghị", "store_reference": f"KHO-{rng.randrange(10**10)}"}]
    if rng.random() < attachments:
        components[0] = {
            **{k: v for k, v in components[0].items() if k != "store_reference"},
            "content": base64.b64encode(PDF).decode(),
            "filename": "to-khai.pdf",
        }
    body = {
        "procedure": procedure,
        "channel": rng.choice(["counter"] * 8 + ["post", "online"]),
        "receiving_agency": desk.agency,
        "applicant": applicant,
        "components": components,
    }
    return json.dumps(body, ensure_ascii=False).encode()


async def client(
    conn: Connection,
    desk: Desk,
    rng: random.Random,
    attachments: float,
    queue: asyncio.Queue[bool],
    result: Result,
    keys: list[str],
) -> None:
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": conn.cookies["csrftoken"],
        "Referer": "http://localhost/",
    }
    code_re = re.compile(rb'"code":"([^"]+)"')
    while True:
        try:
            measured = queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        body = payload(desk, rng, attachments)
        key = str(uuid.uuid4())
        keys.append(key)
        started = time.perf_counter()
        for attempt in range(5):
            try:
                status, _, answer = await asyncio.wait_for(
                    conn.request(
                        "POST", "/api/v1/dossiers/", body, {**headers, "Idempotency-Key": key}
                    ),
                    REQUEST_TIMEOUT,
                )
                break
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                # The answer was lost: the same key again is a safe retry.
                conn.close()
                result.retries += 1
                await asyncio.sleep(0.05 * (attempt + 1))
        else:
            status, answer = 0, b""
        elapsed = time.perf_counter() - started
        result.statuses[status] += 1
        if status == 201:
            found = code_re.search(answer)
            if found:
                result.codes.append(found.group(1).decode())
        elif len(result.errors) < 10:
            result.errors.append(f"{status}: {answer[:300]!r}")
        if measured:
            result.latencies.append(elapsed)


async def drive(
    port: int,
    desks: list[Desk],
    warmup: int,
    dossiers: int,
    attachments: float,
    seed: int,
    server_group: int,
    cpu: dict[str, dict[str, float]],
) -> tuple[Result, Result, float, list[str]]:
    keys: list[str] = []
    conns = [Connection(port) for _ in desks]
    # Signing in hashes each password once (PBKDF2): done before, not inside, the measure.
    await asyncio.gather(*(sign_in(c, d.username) for c, d in zip(conns, desks, strict=True)))
    rngs = [random.Random(seed * 1000 + i) for i in range(len(desks))]

    async def progress(queue: asyncio.Queue[bool], n: int) -> None:
        while True:
            await asyncio.sleep(5)
            print(f"  {n - queue.qsize()}/{n} sent", file=sys.stderr, flush=True)

    async def phase(n: int, measured: bool, result: Result) -> float:
        if measured:
            cpu["before"] = cpu_seconds(server_group)
        queue: asyncio.Queue[bool] = asyncio.Queue()
        for _ in range(n):
            queue.put_nowait(measured)
        reporter = asyncio.ensure_future(progress(queue, n))
        started = time.perf_counter()
        await asyncio.gather(
            *(
                client(conns[i], desk, rngs[i], attachments, queue, result, keys)
                for i, desk in enumerate(desks)
            )
        )  # fmt: skip
        reporter.cancel()
        if measured:
            cpu["after"] = cpu_seconds(server_group)
        return time.perf_counter() - started

    warm = Result()
    await phase(warmup, False, warm)
    main = Result()
    seconds = await phase(dossiers, True, main)
    for conn in conns:
        conn.close()
    return warm, main, seconds, keys


def vn_today() -> date:
    from caicach.calendars.rules import VN_TZ

    return datetime.now(VN_TZ).date()


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=None, help="default: serve's")
    parser.add_argument("--threads", type=int, default=None, help="default: serve's")
    parser.add_argument("--attachments", type=float, default=0.1, help="share with a PDF")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/intake.json")
    args = parser.parse_args(argv)
    if "CAICACH_DATA_DIR" not in os.environ:
        os.environ["CAICACH_DATA_DIR"] = "/tmp/intake-data"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caicach.settings.base")
    seed = args.seed if args.seed is not None else int(time.time())

    desks = prepare(args.clients, seed)
    from django.db import connection

    before = snapshot()
    connection.close()
    port = free_port()
    log = Path(os.environ["CAICACH_DATA_DIR"]) / "bench-serve.log"
    from caicach.core.management.commands.serve import DEFAULT_THREADS, DEFAULT_WORKERS

    workers = args.workers or DEFAULT_WORKERS
    threads = args.threads or DEFAULT_THREADS
    server = start_server(port, workers, threads, log)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    try:
        cpu: dict[str, dict[str, float]] = {}
        cpu_before = os.times()
        warm, result, seconds, keys = asyncio.run(
            drive(port, desks, args.warmup, args.dossiers, args.attachments, seed, server.pid, cpu)
        )
        cpu_after = os.times()
    finally:
        stop_server(server)
    checks = verify(before, warm.codes + result.codes, len(keys))
    lat = [x * 1000 for x in result.latencies]
    rate = len(result.latencies) / seconds if seconds else 0.0
    p95 = percentile(lat, 0.95)
    report = {
        "benchmark": "intake",
        "dossiers": args.dossiers,
        "warmup": args.warmup,
        "clients": args.clients,
        "desks": len({d.agency for d in desks}),
        "gunicorn": {"workers": workers, "threads": threads},
        "attachments_share": args.attachments,
        "seconds": round(seconds, 2),
        "dossiers_per_second": round(rate, 1),
        "latency_ms": {
            "p50": round(percentile(lat, 0.50), 1),
            "p95": round(p95, 1),
            "p99": round(percentile(lat, 0.99), 1),
            "max": round(max(lat, default=0.0), 1),
            "mean": round(statistics.fmean(lat), 1) if lat else 0.0,
        },
        "statuses": {str(k): v for k, v in sorted((result.statuses + warm.statuses).items())},
        "retries": result.retries + warm.retries,
        "errors_sample": (warm.errors + result.errors)[:10],
        "load_generator_cpu_seconds": round(
            (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system), 1
        ),
        # CPU per receipt of the server side (gunicorn, the job worker sending the outbox,
        # PostgreSQL): what the installation would sustain on these cores with nothing else.
        "cpu_ms_per_dossier": {
            side: round((cpu["after"][side] - cpu["before"][side]) * 1000 / args.dossiers, 2)
            for side in ("web", "job_worker", "postgres")
        },
        "capacity_per_second_on_idle_cores": round(
            (os.cpu_count() or 1)
            * 1000
            / max(
                0.01,
                sum(cpu["after"][k] - cpu["before"][k] for k in cpu["after"])
                * 1000
                / args.dossiers,
            ),
            1,
        ),
        "verify": checks,
        "goal": {"dossiers_per_second": GOAL_PER_SECOND, "p95_ms": GOAL_P95_MS},
        "meets_goal": rate >= GOAL_PER_SECOND and p95 < GOAL_P95_MS,
        "cpus": os.cpu_count(),
        # Other work on the machine during the run skews the figures: shown, not hidden.
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "python": platform.python_version(),
        "seed": seed,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if checks["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
