"""Shared driver of the Python "ext" app servers (requests + structlog, requests + loguru).

Reads the plan, performs every call through a real requests.Session, applies the retry
policy every client of the kit shares and writes the manifest (a harness side file, never
part of the log): one entry per HTTP attempt with the status it really got, or none.

    401                                     -> refresh the app token once, retry
    time-out / conn error / 429/502/503/504 -> back off (20 ms, 40 ms), 3 attempts at most

The adapter does all the logging:
    success(step, resp, ctx)  failure(step, resp|None, exc|None, ctx)
    token_refreshed(step, resp, ctx)  other(step, resp|None, exc|None, ctx)  line(step)
ctx = {rid, attempt, url, ms, next: retry|refresh|giveup|fail, delay_ms}
A call that got no response is reported from inside the `except` block that caught the
requests exception (as an app's own try/except would), so logger.exception / exc_info=True
print the real traceback.
"""
import json
import os
import time

import requests

PLAN = os.environ["PLAN"]
MANIFEST = os.environ["MANIFEST"]
LOG = os.environ["LOG"]
EASEMOB = os.environ["EASEMOB_BASE"]
OTHER = os.environ["OTHER_BASE"]
DEAD = os.environ["DEAD_BASE"]
BLACKHOLE = os.environ["BLACKHOLE_BASE"]
TIMEOUT = float(os.environ.get("TIMEOUT_MS", "300")) / 1000.0
MAX_ATTEMPTS = 3
RETRYABLE = {429, 502, 503, 504}
TOKEN = "YWMtPy" + str(os.getpid()) + "Kx9AAABjK5rT0gAAAAAAAAAAAAAAAAAAAA"

session = requests.Session()
session.headers["User-Agent"] = "python-requests/%s" % requests.__version__
_manifest = []


def record(step, attempt, status, outcome, api=None, method=None, path=None):
    _manifest.append({"rid": step["rid"], "attempt": attempt, "status": status, "outcome": outcome,
                      "api": api or step["api"], "method": method or step["method"], "path": path or step["path"]})


def send(step, base, rid, on_error):
    """One attempt. Returns (url, resp|None, exc|None, ms). HTTP errors come back as responses
    (the adapter decides whether to call raise_for_status()); on no response on_error(url, exc, ms)
    runs inside the except block."""
    url = base + step["path"]
    headers = {"X-Request-Id": rid, "Authorization": "Bearer " + TOKEN}
    if step.get("ctype"):
        headers["Content-Type"] = step["ctype"]
    body = step.get("body")
    t0 = time.monotonic()
    try:
        resp = session.request(step["method"], url, data=body.encode("utf-8") if body is not None else None,
                               headers=headers, timeout=TIMEOUT, allow_redirects=False)
        return url, resp, None, int((time.monotonic() - t0) * 1000)
    except requests.exceptions.RequestException as e:
        ms = int((time.monotonic() - t0) * 1000)
        on_error(url, e, ms)
        return url, None, e, ms


def suffix(ctx):
    if ctx["next"] == "retry":
        return "; retrying in %dms (attempt %d/%d)" % (ctx["delay_ms"], ctx["attempt"], MAX_ATTEMPTS)
    if ctx["next"] == "refresh":
        return "; token rejected, refreshing app token and retrying"
    if ctx["next"] == "giveup":
        return "; giving up after %d attempts" % ctx["attempt"]
    return ""


def try_json(resp):
    try:
        v = resp.json()
    except ValueError:
        return None
    return v if isinstance(v, dict) else None


def easemob_call(adapter, step):
    refreshed = False
    attempt = 0
    while True:
        attempt += 1
        rid = "req-%s-%d" % (step["rid"], attempt)
        # beyond the scripted answers the server answers "ok" (a timing hiccup can add an attempt)
        planned = step["answers"][attempt - 1] if attempt <= len(step["answers"]) else "ok"
        # no response: retry while attempts are left
        ctx = {"rid": rid, "attempt": attempt, "next": "retry" if attempt < MAX_ATTEMPTS else "giveup",
               "delay_ms": 20 * 2 ** (attempt - 1)}

        def on_error(url, e, ms, step=step, ctx=ctx):
            record(step, ctx["attempt"], None, "no_response")
            ctx.update(url=url, ms=ms)
            adapter.failure(step, None, e, ctx)

        base = {"refused": DEAD, "ctimeout": BLACKHOLE}.get(planned, EASEMOB)
        url, resp, exc, ms = send(step, base, rid, on_error)
        status = resp.status_code if resp is not None else None
        if status is not None:
            record(step, attempt, status, "ok" if status < 400 else "http_error")
        ctx.update(url=url, ms=ms)
        if status is not None and status < 400:
            adapter.success(step, resp, ctx)
            return
        if status == 401 and not refreshed:
            nxt = "refresh"
        elif (status is None or status in RETRYABLE) and attempt < MAX_ATTEMPTS:
            nxt = "retry"
        elif status is None or status in RETRYABLE or status == 401:
            nxt = "giveup"
        else:
            nxt = "fail"
        ctx["next"] = nxt
        if resp is not None:
            adapter.failure(step, resp, None, ctx)
        if nxt == "refresh":
            refreshed = True
            org, app = step["path"].split("/")[1:3]
            tstep = dict(step, op="getAppToken", method="POST", path="/%s/%s/token" % (org, app), ctype="application/json",
                         desc="refresh app token",
                         body=json.dumps({"grant_type": "client_credentials", "client_id": "YXA6" + step["rid"],
                                          "client_secret": "YXA6" + step["rid"][::-1]}))
            trid = "req-%s-r" % step["rid"]
            tctx = {"rid": trid, "attempt": 1, "next": "fail", "delay_ms": 0}

            def on_token_error(url, e, ms, step=step, tstep=tstep, tctx=tctx):
                record(step, "r", None, "token", "easemob", "POST", tstep["path"])
                tctx.update(url=url, ms=ms)
                adapter.failure(tstep, None, e, tctx)

            turl, tresp, texc, tms = send(tstep, EASEMOB, trid, on_token_error)
            tctx.update(url=turl, ms=tms)
            if tresp is not None:
                record(step, "r", tresp.status_code, "token", "easemob", "POST", tstep["path"])
                if tresp.status_code < 400:
                    adapter.token_refreshed(tstep, tresp, tctx)
                else:
                    adapter.failure(tstep, tresp, None, tctx)
            continue
        if nxt == "retry":
            time.sleep(ctx["delay_ms"] / 1000.0)
            continue
        return


def run(adapter):
    with open(PLAN, encoding="utf-8") as f:
        steps = [json.loads(x) for x in f if x.strip()]
    for step in steps:
        if step["t"] == "log":
            adapter.line(step)
        elif step["api"] == "other":
            rid = "req-%s-1" % step["rid"]

            def on_other_error(url, e, ms, step=step, rid=rid):
                record(step, 1, None, "other")
                adapter.other(step, None, e, {"rid": rid, "url": url, "ms": ms})

            url, resp, exc, ms = send(step, OTHER, rid, on_other_error)
            if resp is not None:
                record(step, 1, resp.status_code, "other")
                adapter.other(step, resp, None, {"rid": rid, "url": url, "ms": ms})
        elif step["api"] == "easemob":
            easemob_call(adapter, step)
    with open(MANIFEST, "w", encoding="utf-8") as f:
        for m in _manifest:
            f.write(json.dumps(m) + "\n")
