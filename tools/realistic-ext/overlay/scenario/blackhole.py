#!/usr/bin/env python3
"""A loopback port that never completes a TCP handshake: it listens with a backlog of 0, never
accepts, and fills its own accept queue at start, so Linux drops every further SYN and a client's
connect() times out (requests' ConnectTimeout, curl's "Connection timed out after … ms", Go's
"dial tcp …: i/o timeout", Ruby's Net::OpenTimeout) -- the "ctimeout" answer of the ext suite.
Writes its port to PORT_FILE and holds until SIGTERM.
    blackhole.py PORT_FILE"""
import os
import signal
import socket
import sys
import time

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(0)
port = srv.getsockname()[1]
fillers = []
for _ in range(3):
    c = socket.socket()
    c.setblocking(False)
    try:
        c.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    fillers.append(c)
time.sleep(0.2)
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write(str(port))
os.rename(tmp, sys.argv[1])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    signal.pause()
