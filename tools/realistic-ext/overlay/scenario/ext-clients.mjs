// App servers of the ecosystems the shared kit does not cover (the "ext" suite):
// PHP Guzzle + Monolog, Python requests + structlog / loguru, Ruby Faraday + Logger,
// Go net/http + log / zap.  Same plan, fake server, traps and retry policy as the kit's
// clients; only the HTTP client, the logger and the ways a failure is logged differ.
//
// Style names (what the app writes for a failed attempt):
//   php   ctx      Monolog context array: status + the decoded JSON body (raw string if not JSON)
//         gzexc    $e->getMessage() + ['exception' => $e]: Guzzle's message with its 120-byte body
//                  summary "(truncated...)"; only for rows that survive the truncation (see below)
//         mwdebug  Guzzle Middleware::log + MessageFormatter::DEBUG (request, response, error);
//                  the app itself logs nothing for that attempt
//         exc/plain (T) ConnectException in context / message only
//   php-guzzle-laravel  the same app with Monolog configured as Laravel does (line breaks kept,
//         stack traces, one "production" channel): records span lines
//   loguru text (message with status + resp.text), fields (resp.json() fields), exc
//         (logger.exception: loguru's traceback with diagnose=True variable values), plain (T)
//   structlog kv (status=… body=…), dict (response=resp.json() as a Python dict repr),
//         exc (log.exception: ConsoleRenderer's plain traceback)
//   structlog-json  the same calls through structlog's production JSON chain: body as a string
//         field, response as a nested object, the exception as dict_tracebacks' list
//   ruby  resp (e.message + e.response[:body]), inspect (e.response.inspect), mw (Faraday's
//         :logger middleware logs request/response with bodies; the app logs the exception
//         class + message only: the event spans those records), exc (Logger#error(exception):
//         message, class, backtrace), plain (T)
//   golog body (status + body), struct (decoded struct printed with %+v), err (T: *url.Error)
//   zap   zstr (zap.String("body")), zobj (zap.Any("response", map)), sugar (SugaredLogger
//         Errorf/Errorw), err (T: zap.Error)
export const EXT_CLIENTS = [
  { name: 'php-guzzle-monolog', format: 'monolog', route: 'direct', cycleT: true, appkeys: ['1122161011178276#chatapp', '1122161011178276#chatapp-test'],
    styles: { E: ['ctx', 'ctx', 'gzexc', 'mwdebug'], S: ['ctx', 'gzexc', 'mwdebug'], T: ['exc', 'plain', 'mwdebug'] } },
  { name: 'php-guzzle-laravel', format: 'monolog-laravel', route: 'direct', cycleT: true, appkeys: ['1122161011178276#shopchat'],
    styles: { E: ['ctx', 'ctx', 'gzexc', 'mwdebug'], S: ['ctx', 'gzexc', 'mwdebug'], T: ['exc', 'plain', 'mwdebug'] } },
  { name: 'python-requests-structlog', format: 'structlog', route: 'direct', cycleT: true, appkeys: ['orgx#meetly'],
    styles: { E: ['kv', 'kv', 'dict', 'exc'], S: ['kv', 'exc'], T: ['exc', 'kv'] } },
  { name: 'python-requests-structlog-json', format: 'structlog-json', route: 'direct', cycleT: true, appkeys: ['orgx#meetly', 'orgx#meetly-eu'],
    styles: { E: ['kv', 'kv', 'dict', 'exc'], S: ['kv', 'exc'], T: ['exc', 'kv'] } },
  { name: 'python-requests-loguru', format: 'loguru', route: 'direct', cycleT: true, appkeys: ['1166220810098765#lingo', '1166220810098765#lingo-dev'],
    styles: { E: ['text', 'text', 'fields', 'exc'], S: ['text', 'exc'], T: ['exc', 'plain'] } },
  { name: 'ruby-faraday-logger', format: 'rubylogger', route: 'direct', cycleT: true, appkeys: ['campfire#rooms'],
    styles: { E: ['resp', 'resp', 'inspect', 'mw'], S: ['resp', 'mw'], T: ['exc', 'plain', 'mw'] } },
  { name: 'go-nethttp-log', format: 'golog', route: 'direct', cycleT: true, appkeys: ['81234567#gopher-im'],
    styles: { E: ['body', 'body', 'struct'], S: ['body'], T: ['err'] } },
  { name: 'go-nethttp-zap', format: 'zap', route: 'direct', cycleT: true, appkeys: ['81234567#gopher-im', '81234567#gopher-ops'],
    styles: { E: ['zstr', 'zstr', 'zobj', 'sugar'], S: ['zstr', 'sugar'], T: ['err', 'sugar'] } },
];

// Styles that need a JSON body (a non-JSON answer is logged in the client's first E style).
export const EXT_JSON_ONLY_STYLES = ['dict', 'struct', 'zobj'];

// Guzzle's RequestException message keeps only the first 120 bytes of the body, and the Easemob
// error body puts error_description last: what survives is the status and the `error` code.
// Rows that are unique on (status, error) -- or told apart by method + endpoint (E30/E31/E32) --
// can still be named from that; the others (E01/E02, E04..E14, E18/E19, E20/E21, E22..E28)
// are never logged this way, as the SDK 1.x style avoids E04/E16 in the kit.
const TRUNCATION_SAFE = new Set(['E03', 'E15', 'E16', 'E17', 'E29', 'E30', 'E31', 'E32', 'E33', 'E34', 'E35', 'E36', 'E37',
  'E38', 'E39', 'E40']);
export function extStyleAllowed(style, ref) {
  if (style === 'gzexc') return !ref.startsWith('E') || TRUNCATION_SAFE.has(ref);
  return true;
}
