#!/usr/bin/env python3
"""App server "meetly": requests + structlog.  structlog's own default processor chain
(merge_contextvars, add_log_level, StackInfoRenderer, set_exc_info,
TimeStamper("%Y-%m-%d %H:%M:%S", local time), ConsoleRenderer) with colours off and the
output in a file -- what a service that never configured a JSON renderer writes when
systemd or docker captures its stdout."""
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
        structlog.dev.set_exc_info,
        structlog.processors.TimeStamper(fmt="%Y-%m-%d %H:%M:%S", utc=False),
        structlog.dev.ConsoleRenderer(colors=False),
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
