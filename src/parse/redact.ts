/**
 * Secret redaction for every text field an event carries (raw, url, error texts). The parser's
 * emit step (src/parse/index.ts) is the one point every event passes, so nothing downstream — the
 * database, classify --json, incident show, Slack, the digest, the daemon log — sees a secret.
 * It runs per event, not per line: one quick test, then the rewrites.
 *
 * Covered: Easemob/Agora tokens and client ids; JWTs; AWS access key ids; well-known prefixed
 * tokens (Slack, GitHub, Stripe, OpenAI, Google) and Slack webhook paths; URL userinfo
 * (`https://user:pass@host`); Authorization schemes; Cookie / Set-Cookie values; any key whose
 * name holds password/passwd/pwd/secret/token/api-key/authorization/cookie/session/credential/
 * private-key/access-key/signature, in JSON (also escaped and in arrays), Python/Ruby literals,
 * query strings, form bodies, headers and key=value text; and a password spoken in prose
 * ("with password 'x'", "wrong password hunter2!"). Values may be percent-encoded.
 */
const R = '[REDACTED]';

/**
 * Any of these (in the lower-cased text) means there may be something to redact; most texts pass
 * none. Lower-casing once and testing without the `i` flag is several times faster in V8.
 */
const QUICK = /ywmt|yxa6|00[67]|eyj|akia|asia|bearer|basic|pass|pwd|secret|token|api[-_]?key|authoriz|cookie|sess|creden|signature|private|access[-_]?key|digest|aws4|auth\s*=\s*\(|:\/\/[^/\s@]+@|hooks\.slack|xox|gh[pousr]_|sk[-_]|aiza/;
/** A secret-naming word somewhere (lower-cased text): else no key-based rule can match. */
const KEY_WORD = /pass|pwd|secret|token|api[-_]?key|authorization|cookie|sess|credential|private|access|signature/;

/** Words that make a key's value a secret (matched anywhere in the key: appSecret, x-api-key, newpassword…). */
const KW = 'password|passwd|passphrase|pwd|secret|token|api[-_]?key|authorization|cookie|session(?:[-_]?id)?|sessid|credentials?|private[-_]?key|access[-_]?key(?:[-_]?id)?|signature';
/** A key name holding one of the words. */
const K = `[A-Za-z0-9_.-]*?(?:${KW})[A-Za-z0-9_.-]*`;
/** Authorization schemes whose single credential follows. */
const SCHEMES = 'Bearer|Basic|Token|ApiKey|Negotiate|NTLM';
/** No word character before: a token right after `_`, `=`, `/`, a quote or a space is still caught. */
const START = '(?<![A-Za-z0-9])';

// Easemob app/user tokens (YWMt…), client ids and secrets (YXA6…), Agora AccessToken2/1 (007eJ…/006…).
const EASEMOB_TOKEN = new RegExp(`${START}(?:YWMt|YXA6)[A-Za-z0-9_\\-+/=.%]{8,}`, 'g');
const AGORA_TOKEN = new RegExp(`${START}00[67](?=[A-Za-z0-9+/=_%-]*[A-Za-z])[A-Za-z0-9+/=_%-]{24,}`, 'g');
// JWT / JWS: base64url JSON header (always `eyJ`), payload, signature.
const JWT = new RegExp(`${START}eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*`, 'g');
// AWS access key ids (the secret key is caught by its key name).
const AWS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Z0-9])/g;
// Tokens with a well-known prefix, wherever they appear.
const PREFIXED = new RegExp(
  `${START}(?:xox[abposr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|sk-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35})`,
  'g',
);
const SLACK_HOOK = /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/gi;
// scheme://user:password@host — the user stays (it tells a reader which account), the password goes.
const USERINFO = /(:\/\/)([^\s/?#@"'<>]+)@/g;
// Authorization scheme values, in headers, JSON headers objects and free text (also %20-encoded).
const AUTH_SCHEME = new RegExp(`\\b(${SCHEMES})(\\s+|%20)(?!\\[REDACTED\\])[A-Za-z0-9._~+/=%-]+`, 'g');
// Parameter lists (`Digest username="a", response="…"`): quoted parts included, to the end of the header.
const AUTH_LIST = /\b(Digest|AWS4-HMAC-SHA256)\s+(?!\[REDACTED\])(?:[^\r\n"']|"[^"\r\n]*")+/g;
// Cookie / Set-Cookie header text: the whole value (many name=value pairs, attributes).
const COOKIE_TEXT = /\b((?:set-)?cookie2?)(\s*[:=]\s*)(?!\[REDACTED\])(?!\s*["'{[]\s*"?)([^\r\n"'\]{}]+)/gi;
const COOKIE_LIST = /\b((?:set-)?cookie2?)(\s*[:=]\s*\[)(?!\[REDACTED\])([^\r\n\]]+)/gi;
// JSON / Python repr: "password":"x", 'password': 'x', and the escaped form \"password\":\"x\".
const JSON_DQ = new RegExp(`("${K}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
// A value cut off by a length cap or Guzzle's ` (truncated...)`: no closing quote before the end of its line.
const JSON_OPEN = new RegExp(`("${K}"\\s*:\\s*)"(?!\\[REDACTED\\])(?:[^"\\\\\\n]|\\\\.)*$`, 'gim');
const SCHEME_DONE = new RegExp(`^"(?:${SCHEMES})(?:\\s+|%20)\\[REDACTED\\]"$`);
// JSON arrays of header values: "set-cookie":["a=b; Path=/", …], Monolog's "Cookie":["…"].
const JSON_ARR = new RegExp(`("${K}"\\s*:\\s*)\\[((?:\\s*"(?:[^"\\\\]|\\\\.)*"\\s*,?)*)\\]`, 'gi');
const JSON_STR = /"(?:[^"\\]|\\.)*"/g;
const JSON_ESC = new RegExp(`(\\\\+"${K}\\\\+"\\s*:\\s*)\\\\+"(?:[^"\\\\]|\\\\[^"])*\\\\+"`, 'gi');
const JSON_SQ = new RegExp(`('${K}'\\s*:\\s*)'[^']*'`, 'gi');
// JSON number/bare values.
const JSON_BARE = new RegExp(`("${K}"\\s*:\\s*)(?!null\\b|true\\b|false\\b)(?!["\\s\\[{])[^,}\\s]+`, 'gi');
// Ruby hashes: "password"=>"x", :password=>"x".
const ROCKET = new RegExp(`((?:"${K}"|'${K}'|:${K})\\s*=>\\s*)(["'])(?:(?!\\2)[^\\\\]|\\\\.)*\\2`, 'gi');
// Python requests' auth=('user', 'password').
const AUTH_TUPLE = /\b(auth\s*=\s*\(\s*(["'])[^"']*\2\s*,\s*)(["'])[^"']*\3/gi;
// Query strings, form bodies and key=value / key: value text (also `%3D` for an encoded `=`).
const KV = new RegExp(`(^|[^A-Za-z0-9_.-])(${K}\\s*(?:=|%3D|:\\s*))(?!\\s*["'\\\\{\\[>])(?!\\[REDACTED\\])(?!(?:${SCHEMES}|Digest|AWS4-HMAC-SHA256)\\b)[^\\s&"',;}\\]]+`, 'gi');
const KV_Q = new RegExp(`(^|[^A-Za-z0-9_"'.-])(${K}\\s*(?:=|:)\\s*)(["'])(?!\\[REDACTED\\])[^"']*\\3`, 'gi');
// Prose (a separator required, so a quoted key like 'secret': is left to the rules above):
// "with password 'x'", "password is "x"", and "wrong password hunter2!" (a value with a digit
// or symbol: "password reset failed" stays readable).
const SPOKEN_QUOTED = /(?<![A-Za-z])((?:password|passwd|pwd|passphrase|secret|api[-_ ]?key)(?:\s*[:=]\s*|\s+(?:is\s+|was\s+)?))(['"`])(?!\[REDACTED\])([^'"`\n]{1,200})\2/gi;
const SPOKEN_BARE = /(?<![A-Za-z])((?:password|passwd|pwd|passphrase|secret)\s+(?:is\s+|was\s+)?)(?!\[REDACTED\])(?=[^\s'",;)\]}]*[0-9!@#$%^&*+])([^\s'",;)\]}]{6,})/gi;

export function redact(text: string): string {
  if (!text) return text;
  const lower = text.toLowerCase();
  if (!QUICK.test(lower)) return text;
  let s = text;
  s = s.replace(EASEMOB_TOKEN, R).replace(AGORA_TOKEN, R).replace(JWT, R).replace(AWS_KEY_ID, R).replace(PREFIXED, R);
  if (s.includes('hooks.slack')) s = s.replace(SLACK_HOOK, `$1${R}`);
  if (s.includes('@')) {
    s = s.replace(USERINFO, (_m, scheme: string, info: string) => {
      const colon = info.indexOf(':');
      return `${scheme}${colon > 0 ? `${info.slice(0, colon)}:` : ''}${R}@`;
    });
  }
  s = s.replace(AUTH_SCHEME, `$1$2${R}`).replace(AUTH_LIST, `$1 ${R}`);
  if (lower.includes('auth')) s = s.replace(AUTH_TUPLE, `$1$3${R}$3`);
  // Cheap tests skip whole groups of rewrites below (each one is a full scan of the text).
  if (!KEY_WORD.test(lower)) return s;
  if (lower.includes('cookie')) s = s.replace(COOKIE_LIST, `$1$2${R}`).replace(COOKIE_TEXT, `$1$2${R}`);
  if (s.includes('"')) {
    // Keep the scheme already reduced to `Bearer [REDACTED]` (tells a reader which auth was sent).
    s = s.replace(JSON_ARR, (_m, k: string, items: string) => `${k}[${items.replace(JSON_STR, (v) => (SCHEME_DONE.test(v) ? v : `"${R}"`))}]`);
    s = s.replace(JSON_DQ, (m: string, k: string) => (SCHEME_DONE.test(m.slice(k.length)) ? m : `${k}"${R}"`));
    s = s.replace(JSON_OPEN, `$1"${R}`);
    if (s.includes('\\')) {
      s = s.replace(JSON_ESC, (_m, k: string) => {
        const q = /(\\+)"\s*$/.exec(k);
        const bs = q ? q[1] : '\\';
        return `${k}${bs}"${R}${bs}"`;
      });
    }
    s = s.replace(JSON_BARE, `$1"${R}"`);
  }
  if (s.includes("'")) s = s.replace(JSON_SQ, `$1'${R}'`);
  if (s.includes('=>')) s = s.replace(ROCKET, `$1$2${R}$2`);
  s = s.replace(KV_Q, `$1$2$3${R}$3`);
  s = s.replace(KV, `$1$2${R}`);
  s = s.replace(SPOKEN_QUOTED, `$1$2${R}$2`).replace(SPOKEN_BARE, `$1${R}`);
  return s;
}
