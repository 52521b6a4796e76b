"""Static files storage for ``collectstatic`` (issue 16: ``make demo`` sat silent for 30 s).

WhiteNoise compresses every collected file on every run, though ``collectstatic`` copied only
the changed ones; this storage compresses only the files whose compressed copy is missing or
older than the file, so a second ``make demo`` takes a second."""

from __future__ import annotations

import os
from typing import Any

from whitenoise.storage import CompressedStaticFilesStorage  # type: ignore[import-untyped]


class IncrementalCompressedStaticFilesStorage(CompressedStaticFilesStorage):
    def _fresh(self, path: str) -> bool:
        full = self.path(path)
        try:
            mtime = os.path.getmtime(full)
            return os.path.getmtime(full + ".gz") >= mtime
        except OSError:
            return False

    def post_process(self, paths: dict[str, Any], dry_run: bool = False, **options: Any) -> Any:
        stale = {path: value for path, value in paths.items() if not self._fresh(path)}
        yield from super().post_process(stale, dry_run=dry_run, **options) or ()
