"""Console logging helpers (issue 16: a newcomer's console without noise)."""

from __future__ import annotations

import logging


class NoClientErrorTraceback(logging.Filter):
    """Keep the line of a 4xx answer (``Forbidden (Permission denied): /ho-so/…``) but drop its
    traceback: refusing a request is ordinary, not an error of the program."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
