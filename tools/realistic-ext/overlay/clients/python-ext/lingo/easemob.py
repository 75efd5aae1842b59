"""Easemob calls of the "lingo" app server, logged with loguru's defaults.

Failure styles: text (status, reason and resp.text in the message), fields (resp.json()
fields; a description with a newline spans lines), exc (raise_for_status() and
logger.exception: loguru's own traceback, backtrace and diagnose on as by default).
Time-outs and connection errors: exc (traceback of the requests exception) or plain.
"""
import requests
from loguru import logger

import harness


def _level(ctx):
    return "WARNING" if ctx["next"] in ("retry", "refresh") else "ERROR"


class Adapter:
    def success(self, step, resp, ctx):
        logger.info("{} {} -> {} {} ({}ms) [rid={}] {}", step["method"], ctx["url"], resp.status_code, resp.reason,
                    ctx["ms"], ctx["rid"], resp.text)

    def failure(self, step, resp, exc, ctx):
        level, sfx = _level(ctx), harness.suffix(ctx)
        if resp is not None:
            style = step.get("style")
            data = harness.try_json(resp)
            if style == "fields" and data is not None:
                logger.log(level, "easemob error: {} {} status={} error={} description={} [rid={}]{}", step["method"],
                           step["path"], resp.status_code, data.get("error"), data.get("error_description"), ctx["rid"], sfx)
            elif style == "exc":
                try:
                    resp.raise_for_status()
                except requests.HTTPError as e:
                    logger.opt(exception=e).log(level, "{} failed [rid={}]: {}{}", step["desc"], ctx["rid"], resp.text, sfx)
            else:
                logger.log(level, "{} failed: {} {} -> {} {} [rid={}] {}{}", step["desc"], step["method"], ctx["url"],
                           resp.status_code, resp.reason, ctx["rid"], resp.text, sfx)
        elif step.get("tstyle") == "exc":
            logger.opt(exception=True).log(level, "{} failed: {} {} [rid={}]{}", step["desc"], step["method"], ctx["url"],
                                          ctx["rid"], sfx)
        else:
            logger.log(level, "{} failed: {} {} [rid={}]: {}: {}{}", step["desc"], step["method"], ctx["url"], ctx["rid"],
                       type(exc).__name__, exc, sfx)

    def token_refreshed(self, step, resp, ctx):
        logger.info("refreshed easemob app token [rid={}] expires_in={}", ctx["rid"], (harness.try_json(resp) or {}).get("expires_in"))

    def other(self, step, resp, exc, ctx):
        if resp is not None and resp.status_code < 400:
            logger.info("{} ok: {} {} -> {} [rid={}] {}", step["desc"], step["method"], ctx["url"], resp.status_code, ctx["rid"], resp.text)
        elif resp is not None:
            logger.error("{} failed: {} {} -> {} {} [rid={}] {}", step["desc"], step["method"], ctx["url"], resp.status_code,
                         resp.reason, ctx["rid"], resp.text)
        else:
            logger.error("{} failed: {} {} [rid={}]: {}: {}", step["desc"], step["method"], ctx["url"], ctx["rid"],
                         type(exc).__name__, exc)

    def line(self, step):
        level = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR"}[step["level"]]
        if step.get("data") is not None and step["logger"] == "easemob.callback":
            logger.log(level, f"{step['msg']}: {step['data']}")  # the payload dict as Python prints it
        else:
            logger.log(level, f"[{step['logger']}] {step['msg']}")
