#!/usr/bin/env python3
"""App server "lingo": requests + loguru with loguru's default sink format
("{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {name}:{function}:{line} - {message}"),
backtrace=True and diagnose=True, as `logger.add(path)` gives."""
import sys

from loguru import logger

import harness
from lingo.easemob import Adapter

logger.remove()
logger.add(harness.LOG, level="DEBUG")

if __name__ == "__main__":
    harness.run(Adapter())
    sys.exit(0)
