#!/usr/bin/env python3
"""App server "meetly" as deployed to production: requests + structlog with the JSON chain
structlog's docs recommend for production (merge_contextvars, add_log_level,
StackInfoRenderer, TimeStamper(fmt="iso", utc=True), dict_tracebacks, JSONRenderer): one JSON
object a line, the exception as a list of dicts (exc_type, exc_value, frames...); values json
cannot encode (exceptions) are written as their repr."""
import logging
import sys

import structlog

import harness

_out = open(harness.LOG, "w", encoding="utf-8", buffering=1)
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.dict_tracebacks,
        structlog.processors.JSONRenderer(),
    ],
    wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
    logger_factory=structlog.PrintLoggerFactory(file=_out),
    cache_logger_on_first_use=False,
)

from meetly.im import Adapter  # noqa: E402  (after configure, as apps do)

if __name__ == "__main__":
    harness.run(Adapter())
    _out.close()
    sys.exit(0)
