#!/usr/bin/env python3
"""realhosts.py for the ext suite: rewrites the loopback stand-ins in the generated logs to what
an app server calling the real hosts over TLS would print.  Each library names the peer its own
way, so each pattern is rewritten in that library's words:
  URLs                      http://127.0.0.1:P/...            -> https://<host>/...
  urllib3                   HTTPConnectionPool(host='127.0.0.1', port=P) -> HTTPSConnectionPool(host='<host>', port=443)
  curl (Guzzle)             Failed to connect to 127.0.0.1 port P          -> ... <host> port 443
  Ruby Net::HTTP (Faraday)  TCP connection to 127.0.0.1:P (... for "127.0.0.1" port P) -> <host>:443, "<host>" port 443
  Go net (dial tcp)         127.0.0.1:P                                    -> <resolved ip>:443
  Guzzle DEBUG dumps        Host: 127.0.0.1:P                              -> Host: <host>
and the kit's checkout in stack traces -> where a deployed app lives.  Line numbers never change.
    realhosts-ext.py LOG_DIR EASEMOB_PORT OTHER_PORT DEAD_PORT BLACKHOLE_PORT"""
import os
import re
import sys

logs, easemob, other, dead, blackhole = sys.argv[1], *sys.argv[2:6]
KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS = {"php-guzzle-monolog": "a1.easemob.com", "php-guzzle-laravel": "a1-hsb.easemob.com", "python-requests-structlog": "a41.easemob.com",
         "python-requests-structlog-json": "a41.easemob.com", "python-requests-loguru": "a1-sgp.easemob.com", "ruby-faraday-logger": "a61.easemob.com",
         "go-nethttp-log": "a71.chat.agora.io", "go-nethttp-zap": "a1.easemob.com"}
EASEMOB_IP, PARTNER, PARTNER_IP = "47.93.162.95", "api.partner-pay.com", "52.84.19.7"
DEPLOYED = {"php-guzzle-monolog": "/var/www/chatapp/", "php-guzzle-laravel": "/var/www/html/", "python-requests-structlog": "/srv/meetly/",
            "python-requests-structlog-json": "/srv/meetly/", "python-requests-loguru": "/srv/lingo/", "ruby-faraday-logger": "/srv/campfire/",
            "go-nethttp-log": "/build/gopher-im/", "go-nethttp-zap": "/build/gopher-im/"}
# Debian's Guzzle/Monolog -> where composer puts them in a deployed PHP app
PHP_VENDOR = [("/usr/share/php/GuzzleHttp/Psr7/", "vendor/guzzlehttp/psr7/src/"),
              ("/usr/share/php/GuzzleHttp/Promise/", "vendor/guzzlehttp/promises/src/"),
              ("/usr/share/php/GuzzleHttp/", "vendor/guzzlehttp/guzzle/src/"),
              ("/usr/share/php/Monolog/", "vendor/monolog/monolog/src/Monolog/")]

for name in os.listdir(logs):
    if not name.endswith(".log"):
        continue
    client = name[:-4]
    host = HOSTS.get(client, "a1.easemob.com")
    p = os.path.join(logs, name)
    s = open(p, "rb").read().decode("utf-8", "surrogateescape")
    for port, h, ip in ((easemob, host, EASEMOB_IP), (dead, host, EASEMOB_IP), (blackhole, host, EASEMOB_IP), (other, PARTNER, PARTNER_IP)):
        s = s.replace(f"http://127.0.0.1:{port}", f"https://{h}")
        s = s.replace(f"HTTPConnectionPool(host='127.0.0.1', port={port})", f"HTTPSConnectionPool(host='{h}', port=443)")
        s = s.replace(f"127.0.0.1 port {port}", f"{h} port 443")
        s = s.replace(f'"127.0.0.1" port {port}', f'"{h}" port 443')
        s = s.replace(f"Host: 127.0.0.1:{port}", f"Host: {h}")
        s = s.replace(f"('127.0.0.1', {port})", f"('{ip}', 443)")  # loguru's diagnose shows the socket address
        s = s.replace(f"connect(2) for 127.0.0.1:{port}", f"connect(2) for {ip}:443")  # Ruby names the resolved address
        s = s.replace(f"127.0.0.1:{port}", f"{ip}:443" if client.startswith("go-") else f"{h}:443")
    s = s.replace("Connection to 127.0.0.1 timed out", f"Connection to {host} timed out")  # urllib3's ConnectTimeoutError
    s = s.replace("urllib3.connection.HTTPConnection object", "urllib3.connection.HTTPSConnection object")
    s = s.replace("urllib3.connectionpool.HTTPConnectionPool object", "urllib3.connectionpool.HTTPSConnectionPool object")
    deployed = DEPLOYED.get(client, "/srv/app/")
    if client.startswith("php-"):
        for mine, theirs in PHP_VENDOR:
            s = s.replace(mine, deployed + theirs)
            s = s.replace(mine.replace("/", "\\/"), (deployed + theirs).replace("/", "\\/"))  # JSON-escaped paths
    for sub in ("clients/php-ext/", "clients/python-ext/", "clients/ruby-ext/", "clients/go-ext/", ""):
        s = s.replace(f"{KIT}/{sub}", deployed)
        s = s.replace(f"{KIT}/{sub}".replace("/", "\\/"), deployed.replace("/", "\\/"))
    open(p, "wb").write(s.encode("utf-8", "surrogateescape"))
