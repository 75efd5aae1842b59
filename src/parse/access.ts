/**
 * Access-log lines: nginx/Apache combined and common format, optionally followed by extra
 * fields (`rt=`, `uct=`, `urt=`, `upstream_status`, `$upstream_addr`, `$proxy_host`, `$host`).
 * Method, path and status only: the client-facing `$status` decides (an upstream retry that
 * ended in 200 is a success).
 */
export interface AccessFinding {
  method: string | null;
  url: string;
  status: number;
  /** Host-like tokens found in the extra fields (proxy_host, host, upstream name). */
  hosts: string[];
  timeText: string;
}

// [vhost:port] ip ident user [time] "METHOD target PROTO" status bytes ["referer" "ua"] [extras…]
const CLF = /^(?:\S+ )?(\S+) \S+ \S+ \[([^\]]{10,40})\] "([A-Z]{3,8}) (\S+)(?: [^"]*)?" (\d{3}) (\S+)(.*)$/;
const HOSTISH = /(?:^|[\s"=:,])((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?(?=[\s",/]|$)/gi;

export function parseAccess(line: string): AccessFinding | null {
  const m = CLF.exec(line);
  if (!m) return null;
  const status = +m[5];
  const tail = m[7];
  const hosts: string[] = [];
  if (tail) {
    let h: RegExpExecArray | null;
    HOSTISH.lastIndex = 0;
    let n = 0;
    // Skip the quoted referer/user-agent pair: hosts there are the browser's, not upstream.
    const extras = tail.replace(/^\s*"[^"]*"\s*"[^"]*"/, '');
    while ((h = HOSTISH.exec(extras)) !== null && n++ < 10) hosts.push(h[1].toLowerCase());
  }
  return { method: m[3], url: m[4], status, hosts, timeText: '[' + m[2] + ']' };
}
