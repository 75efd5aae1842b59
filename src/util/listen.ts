import type { Server } from 'node:http';

/** `host:port` or `[v6]:port` as written in the config. */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(listen.slice(i + 1)) };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Listens on `listen`; rejects with the bind error (EADDRINUSE, EACCES) instead of emitting it later. */
export function listenOn(server: Server, listen: string): Promise<void> {
  const { host, port } = parseListen(listen);
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
