import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HealthReport } from './health.js';
import { listenOn, parseListen } from '../util/listen.js';

export interface HttpHandlers {
  metrics(): Promise<string>;
  contentType: string;
  health(): HealthReport;
  /** The on-call page (src/web) when `http.ui: true`: every other path goes to it. */
  ui?: (req: IncomingMessage, res: ServerResponse) => void;
}

export { parseListen, isLoopback } from '../util/listen.js';

/**
 * /metrics (Prometheus text) and /healthz: 200 with status ok or degraded (running, but a source cannot
 * be read: named in `faults`), 503 when unhealthy (stalled, database not writable or no longer the file
 * at the path, dispatch failing).
 */
export async function startHttp(listen: string, h: HttpHandlers): Promise<Server & { boundPort: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (h.ui && path !== '/metrics' && path !== '/healthz') return h.ui(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      h.metrics().then(
        (text) => res.writeHead(200, { 'content-type': h.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
      );
      return;
    }
    if (path === '/healthz') {
      const r = h.health();
      res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(r) + '\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
  });
  // A scraper that keeps connections open must not hold shutdown up.
  server.keepAliveTimeout = 5000;
  await listenOn(server, listen);
  const addr = server.address();
  return Object.assign(server, { boundPort: typeof addr === 'object' && addr ? addr.port : parseListen(listen).port });
}
