"""Easemob calls of the "meetly" app server, logged with structlog's ConsoleRenderer.

Failure styles: kv (status=, reason=, body=resp.text as key=value pairs), dict
(response=resp.json(): ConsoleRenderer prints the dict's repr), exc (raise_for_status()
and log.exception: the plain traceback after the line).  Time-outs and connection
errors: exc (traceback) or kv (error=<the requests exception>, printed as its repr).
"""
import requests
import structlog

import harness

log = structlog.get_logger().bind(logger="meetly.im")


def _method(ctx):
    return "warning" if ctx["next"] in ("retry", "refresh") else "error"


def _next(ctx):
    return {"retry": "retry", "refresh": "refresh_token", "giveup": "give_up", "fail": None}[ctx["next"]]


class Adapter:
    def success(self, step, resp, ctx):
        log.info("easemob request ok", op=step["op"], method=step["method"], url=ctx["url"], status=resp.status_code,
                 duration_ms=ctx["ms"], request_id=ctx["rid"], body=resp.text)

    def failure(self, step, resp, exc, ctx):
        emit = getattr(log, _method(ctx))
        common = dict(op=step["op"], method=step["method"], url=ctx["url"], request_id=ctx["rid"], attempt=ctx["attempt"])
        if _next(ctx):
            common["next_action"] = _next(ctx)
        if ctx["next"] == "retry":
            common["retry_in_ms"] = ctx["delay_ms"]
        if resp is not None:
            style = step.get("style")
            data = harness.try_json(resp)
            if style == "dict" and data is not None:
                emit("easemob request failed", status=resp.status_code, response=data, **common)
            elif style == "exc":
                try:
                    resp.raise_for_status()
                except requests.HTTPError as e:
                    emit("easemob request failed", status=resp.status_code, body=resp.text, exc_info=e, **common)
            else:
                emit("easemob request failed", status=resp.status_code, reason=resp.reason, body=resp.text, **common)
        elif step.get("tstyle") == "exc":
            emit("easemob request failed", exc_info=True, **common)
        else:
            emit("easemob request failed", error=exc, **common)

    def token_refreshed(self, step, resp, ctx):
        log.info("easemob app token refreshed", request_id=ctx["rid"], expires_in=(harness.try_json(resp) or {}).get("expires_in"))

    def other(self, step, resp, exc, ctx):
        lg = structlog.get_logger().bind(logger="meetly." + step.get("svc", "other"))
        if resp is not None and resp.status_code < 400:
            lg.info("partner request ok", desc=step["desc"], method=step["method"], url=ctx["url"], status=resp.status_code,
                    request_id=ctx["rid"], body=resp.text)
        elif resp is not None:
            lg.error("partner request failed", desc=step["desc"], method=step["method"], url=ctx["url"], status=resp.status_code,
                     request_id=ctx["rid"], body=resp.text)
        else:
            lg.error("partner request failed", desc=step["desc"], method=step["method"], url=ctx["url"], request_id=ctx["rid"],
                     error=exc)

    def line(self, step):
        lg = structlog.get_logger().bind(logger="meetly." + step["logger"])
        emit = getattr(lg, {"debug": "debug", "info": "info", "warn": "warning", "error": "error"}[step["level"]])
        if step.get("data") is not None and step["logger"] == "easemob.callback":
            emit(step["msg"], payload=step["data"])
        elif step.get("data") is not None:
            emit(step["msg"], **step["data"])
        else:
            emit(step["msg"])
