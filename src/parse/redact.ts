/**
 * Secret redaction for every text field an event carries (raw, url, descriptions).
 * Called only for candidate lines, but still kept cheap: one quick test, then the rewrites.
 */
const R = '[REDACTED]';

/** Any of these substrings means there may be something to redact. */
const QUICK = /YWMt|YXA6|00[67]|earer|asic|ass|ecret|oken|pi_?key|uthorization|EARER|ASIC|ASS|ECRET|OKEN|PI_?KEY|UTHORIZATION/;

const KEYS = 'password|newpassword|oldpassword|new_password|old_password|client_secret|clientsecret|access_token|accesstoken|refresh_token|token|secret|api_key|apikey|app_secret|authorization';

// Easemob app/user tokens (YWMt…), client ids (YXA6…), Agora AccessToken2/1 (007eJ…/006…).
const EASEMOB_TOKEN = /\bYWMt[A-Za-z0-9_\-+/=.]{8,}/g;
const CLIENT_ID = /\bYXA6[A-Za-z0-9_\-+/=.]{8,}/g;
const AGORA_TOKEN = /\b00[67](?=[A-Za-z0-9+/=_-]*[A-Za-z])[A-Za-z0-9+/=_-]{24,}/g;
// Authorization scheme values, in headers, JSON headers objects and free text.
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+|%20)(?!\[REDACTED\])[A-Za-z0-9._~+/=\-]+/gi;
// JSON / Python repr: "password":"x", 'password': 'x', and the escaped form \"password\":\"x\".
const JSON_DQ = new RegExp(`("(?:${KEYS})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
// A value cut off by a length cap or Guzzle's ` (truncated...)`: no closing quote before the end
// of its line — the rest of the line goes.
const JSON_OPEN = new RegExp(`("(?:${KEYS})"\\s*:\\s*)"(?!\\[REDACTED\\])(?:[^"\\\\\\n]|\\\\.)*$`, 'gim');
const SCHEME_DONE = /:\s*"(?:Bearer|Basic)(?:\s+|%20)\[REDACTED\]"$/i;
const JSON_ESC = new RegExp(`(\\\\+"(?:${KEYS})\\\\+"\\s*:\\s*)\\\\+"(?:[^"\\\\]|\\\\[^"])*\\\\+"`, 'gi');
const JSON_SQ = new RegExp(`('(?:${KEYS})'\\s*:\\s*)'[^']*'`, 'gi');
// JSON number/bare values (rare for secrets but cheap to cover).
const JSON_BARE = new RegExp(`("(?:${KEYS})"\\s*:\\s*)(?!null\\b|true\\b|false\\b)(?!["\\s\\[{])[^,}\\s]+`, 'gi');
// Query strings, form bodies and key=value / key: value text.
const KV = new RegExp(`(^|[^A-Za-z0-9_])((?:${KEYS})\\s*(?:=|:\\s*))(?!\\s*["'\\\\{\\[])(?!\\[REDACTED\\])(?!Bearer\\b|Basic\\b)[^\\s&"',;}\\]]+`, 'gi');
const KV_Q = new RegExp(`(^|[^A-Za-z0-9_"'])((?:${KEYS})\\s*(?:=|:)\\s*)(["'])(?!\\[REDACTED\\])[^"']*\\3`, 'gi');

export function redact(text: string): string {
  if (!text || !QUICK.test(text)) return text;
  let s = text;
  s = s.replace(EASEMOB_TOKEN, R).replace(CLIENT_ID, R).replace(AGORA_TOKEN, R);
  s = s.replace(AUTH_SCHEME, `$1$2${R}`);
  // Keep the scheme already reduced to `Bearer [REDACTED]` (tells a reader which auth was sent).
  s = s.replace(JSON_DQ, (m: string, k: string) => (SCHEME_DONE.test(m) ? m : `${k}"${R}"`));
  s = s.replace(JSON_OPEN, `$1"${R}`);
  s = s.replace(JSON_ESC, (_m, k: string) => {
    const q = /(\\+)"\s*$/.exec(k);
    const bs = q ? q[1] : '\\';
    return `${k}${bs}"${R}${bs}"`;
  });
  s = s.replace(JSON_SQ, `$1'${R}'`);
  s = s.replace(JSON_BARE, `$1"${R}"`);
  s = s.replace(KV_Q, `$1$2$3${R}$3`);
  s = s.replace(KV, `$1$2${R}`);
  return s;
}
