/**
 * Calls that got no response: client time-outs and connection failures as Java (JDK, OkHttp,
 * Reactor Netty, Apache HttpClient, Spring), Node (axios, got, undici, core http), Python
 * (requests/urllib3) and Go (net/http) write them.
 */
import type { NoResponse, FailureKind } from './event.js';

const DNS = /cURL error 6\b|could not be resolved|Host not found|ENOTFOUND|EAI_AGAIN|UnknownHostException|no such host|Name or service not known|nodename nor servname|Temporary failure in name resolution|NameResolutionError|getaddrinfo|Failed to resolve|UnresolvedAddressException|Could not resolve host|Couldn't resolve host|Could not resolve: /;
const REFUSED = /ECONNREFUSED|Connection refused|connection refused|cURL error 7\b|ConnectException(?!.*timed out)|Errno 111\]/;
const TIMEOUT = /SocketTimeoutException|ReadTimeout|ConnectTimeout|WriteTimeout|Read timed out|[Cc]onnect timed out|timed out|ETIMEDOUT|ESOCKETTIMEDOUT|timeout of \d+ms exceeded|ECONNABORTED|UND_ERR_(?:CONNECT|HEADERS|BODY)_TIMEOUT|TimeoutError|Timeout awaiting|context deadline exceeded|Client\.Timeout|i\/o timeout|HttpTimeoutException|ReadTimeoutException|ConnectTimeoutException|TimeoutException|PoolTimeout|operation timed out|TLS handshake timeout|Exception: timeout\b|\btimeout$|Net::OpenTimeout|Net::ReadTimeout|Faraday::TimeoutError|execution expired|cURL error 28/;
const RESET = /ECONNRESET|Connection reset|connection reset|socket hang up|UND_ERR_SOCKET|RemoteDisconnected|Connection aborted|EPIPE|Broken pipe|unexpected end of stream|PrematureCloseException|prematurely closed|": EOF\b|NoHttpResponseException|ChunkedEncodingError|ProtocolError|Empty reply from server|Recv failure|other side closed|SocketError|received no bytes|Remote end closed connection|Server disconnected|end of file reached|connection closed before/;
const OTHER = /SSLHandshakeException|SSLError|CERT_|UNABLE_TO_VERIFY_LEAF_SIGNATURE|EHOSTUNREACH|ENETUNREACH|No route to host|Network is unreachable|certificate verify failed|x509: |tls: |SSL_connect|SSL connect error|SSL_ERROR_|SSL certificate problem/;

export function failureKind(text: string): FailureKind | null {
  if (DNS.test(text)) return 'dns';
  if (REFUSED.test(text)) return 'refused';
  if (TIMEOUT.test(text)) return 'timeout';
  if (RESET.test(text)) return 'reset';
  if (OTHER.test(text)) return 'other';
  return null;
}

const ATTEMPT_OF = /\battempt\s*#?\s*(\d+)\s*(?:\/|of)\s*(\d+)/i;
const RETRY_OF = /\bretr(?:y|ying)\s*#?\s*\(?(\d+)\s*(?:\/|of)\s*(\d+)/i;
const ATTEMPT = /\battempt(?:[=:]\s*|\s*#\s*|\s+)(\d+)\b/i;
const RETRY = /\bretry(?:[=:]\s*|\s*#\s*|\s+)(\d+)\b/i;
const AFTER = /\bafter\s+(\d+)\s+(?:attempts|retries|tries)\b/i;
const GAVE_UP = /retries exhausted|Max retries exceeded|giving up|gave up|no more retries|retry limit|Retries exhausted/i;

/** Attempt number / gave-up flag as retry libraries and SDK retry loops write them. */
export function retryInfo(text: string, nr: NoResponse): void {
  let m = ATTEMPT_OF.exec(text) ?? RETRY_OF.exec(text);
  if (m) {
    nr.attempt = +m[1];
    if (+m[1] >= +m[2]) nr.gaveUp = true;
  } else if ((m = AFTER.exec(text))) {
    nr.attempt = +m[1];
    nr.gaveUp = true;
  } else if ((m = ATTEMPT.exec(text) ?? RETRY.exec(text))) {
    nr.attempt = +m[1];
  }
  if (GAVE_UP.test(text)) nr.gaveUp = true;
}

export function noResponseFrom(text: string): NoResponse | null {
  const kind = failureKind(text);
  if (!kind) return null;
  const nr: NoResponse = { kind };
  retryInfo(text, nr);
  return nr;
}
