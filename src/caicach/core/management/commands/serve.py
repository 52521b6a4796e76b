"""``caicach serve``: the web server (gunicorn) and the background job workers (one per queue).

Both run as child processes; stopping this command (Ctrl-C) stops both. With the embedded
PostgreSQL server, this process keeps the database up until the children are gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from caicach.core import jobs

#: One worker process per core of the 2-core target, threads to overlap database waits
#: (bench/bench_intake.py measures them; bench/README.md).
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4


class Command(BaseCommand):
    help = "Run the web server on HOST:PORT and the Procrastinate job workers until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn worker processes"
        )
        parser.add_argument(
            "--threads", type=int, default=DEFAULT_THREADS, help="threads per web worker"
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="no access log line per request"
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the job workers")

    def handle(self, *args: Any, **options: Any) -> None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
        web = [
            sys.executable, "-m", "gunicorn", "caicach.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]), "--threads", str(options["threads"]),
            "--graceful-timeout", "10",
            # Clients that send many requests (counter applications, the portal) keep their
            # connection; the application is imported once, before the workers fork.
            "--keep-alive", "5", "--preload",
        ]  # fmt: skip
        if not options["no_access_log"]:
            web += ["--access-logfile", "-"]
        children = [subprocess.Popen(web, env=env)]
        if not options["no_worker"]:
            # One worker per queue: a long batch (a register PDF, the calendar impact) never
            # holds up the applicants' notifications (caicach/core/jobs.py).
            for queues in jobs.WORKERS:
                worker = [sys.executable, "-m", "caicach", "procrastinate", "worker"]
                worker += ["--queues", ",".join(queues), "--name", f"caicach-{queues[0]}"]
                children.append(subprocess.Popen(worker, env=env))
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"caicach is serving on {url} (debug={settings.DEBUG}); Ctrl-C stops.")

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
