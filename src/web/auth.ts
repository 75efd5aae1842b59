// Login token, sessions and CSRF tokens for the web page. Sessions live in memory: a daemon restart
// logs everyone out, which is the safe direction.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'apiwatch_session';
/** A shift and a bit: an on-call engineer logs in once per shift. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Failed logins allowed per client address per window before 429 (fail2ban's maxretry/findtime). */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_MS = 60_000;
const MAX_SESSIONS = 1000;

export interface Session {
  id: string;
  csrf: string;
  name: string;
  expires: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class Auth {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, number[]>();

  constructor(
    /** null: `http.ui_auth: none` (loopback only). */
    private readonly token: string | null,
    private readonly now: () => number = Date.now,
  ) {}

  get open(): boolean {
    return this.token === null;
  }

  /** Constant-time compare of digests, so neither length nor prefix leaks through timing. */
  tokenOk(given: string): boolean {
    if (this.token === null) return true;
    return timingSafeEqual(digest(given), digest(this.token));
  }

  /** Seconds to wait when this address has failed too often, else 0. */
  retryAfter(addr: string): number {
    const t = this.now();
    const recent = (this.failures.get(addr) ?? []).filter((x) => t - x < LOGIN_WINDOW_MS);
    this.failures.set(addr, recent);
    if (recent.length < LOGIN_MAX_FAILURES) return 0;
    return Math.ceil((recent[0] + LOGIN_WINDOW_MS - t) / 1000);
  }

  failed(addr: string): void {
    const list = this.failures.get(addr) ?? [];
    list.push(this.now());
    this.failures.set(addr, list);
  }

  create(name: string): Session {
    const t = this.now();
    if (this.sessions.size >= MAX_SESSIONS) for (const [k, s] of this.sessions) if (s.expires <= t || this.sessions.size >= MAX_SESSIONS) this.sessions.delete(k);
    const s: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), name, expires: t + SESSION_TTL_MS };
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    if (s.expires <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return s;
  }

  drop(id: string): void {
    this.sessions.delete(id);
  }

  csrfOk(s: Session, given: string | null): boolean {
    if (!given) return false;
    return timingSafeEqual(digest(given), digest(s.csrf));
  }
}

export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function sessionCookie(s: Session | null, secure: boolean): string {
  const base = `${SESSION_COOKIE}=${s ? s.id : ''}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  return s ? `${base}; Max-Age=${Math.floor(SESSION_TTL_MS / 1000)}` : `${base}; Max-Age=0`;
}
