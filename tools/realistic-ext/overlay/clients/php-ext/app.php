<?php
// App server "chatapp": PHP + Guzzle 7 (http_errors on, cURL handler) + Monolog 2 with its
// default StreamHandler / LineFormatter ("[%datetime%] %channel%.%level_name%: %message%
// %context% %extra%", line breaks inside a record flattened to spaces, as by default).
// PHP_LOG_STYLE=laravel configures Monolog the way Laravel's log channels do instead
// (Illuminate\Log\LogManager::formatter(): new LineFormatter(null, 'Y-m-d H:i:s', true, true)
// with includeStacktraces(); the channel is the app environment, "production"): line breaks
// kept, empty context/extra left out, exceptions with their "[stacktrace]".
//
// Failure styles (plan "style" / "tstyle"):
//   ctx      the app catches the RequestException and logs status + the decoded body
//            (json_decode(..., true); the raw string when it is not JSON) in the context array
//   gzexc    $logger->error($e->getMessage(), ['exception' => $e]): Guzzle's message with its
//            body summary (120 bytes, "(truncated...)"), and Monolog's normalized exception
//   mwdebug  the call goes through a client with Middleware::log + MessageFormatter::DEBUG
//            (request, response, error); the app itself logs nothing for that attempt
//   exc / plain (no response): ConnectException/RequestException in the context, or its
//            message only
// Retry policy as every client of the kit: 401 -> refresh the app token once; time-out,
// connection error, 429/502/503/504 -> back off, 3 attempts at most.
declare(strict_types=1);

require_once '/usr/share/php/GuzzleHttp/autoload.php';
require_once '/usr/share/php/Monolog/autoload.php';

use GuzzleHttp\Client;
use GuzzleHttp\Exception\GuzzleException;
use GuzzleHttp\Exception\RequestException;
use GuzzleHttp\HandlerStack;
use GuzzleHttp\MessageFormatter;
use GuzzleHttp\Middleware;
use Monolog\Formatter\LineFormatter;
use Monolog\Handler\StreamHandler;
use Monolog\Logger;

const MAX_ATTEMPTS = 3;
const RETRYABLE = [429, 502, 503, 504];

function env(string $k): string
{
    $v = getenv($k);
    if ($v === false || $v === '') {
        fwrite(STDERR, "missing env $k\n");
        exit(2);
    }
    return $v;
}

$PLAN = env('PLAN');
$LOG = env('LOG');
$MANIFEST = env('MANIFEST');
$EASEMOB = env('EASEMOB_BASE');
$OTHER = env('OTHER_BASE');
$DEAD = env('DEAD_BASE');
$BLACKHOLE = env('BLACKHOLE_BASE');
$TIMEOUT = ((int) (getenv('TIMEOUT_MS') ?: '300')) / 1000.0;
$TOKEN = 'YWMtPhP' . getmypid() . 'Qz7AAABjK6bN2kAAAAAAAAAAAAAAAAAAAA';

$LARAVEL = getenv('PHP_LOG_STYLE') === 'laravel';
$handler = new StreamHandler($LOG, Logger::DEBUG);
if ($LARAVEL) {
    $formatter = new LineFormatter(null, 'Y-m-d H:i:s', true, true);
    $formatter->includeStacktraces();
    $handler->setFormatter($formatter);
}
$root = new Logger($LARAVEL ? 'production' : 'app', [$handler]);

/** A logger for one part of the app: its own Monolog channel, or Laravel's single env channel. */
function channel(string $name): Logger
{
    global $root, $LARAVEL;
    return $LARAVEL ? $root : $root->withName($name);
}
$log = channel('easemob');
$httpLog = channel('http');

$options = ['timeout' => $TIMEOUT, 'allow_redirects' => false, 'http_errors' => true];
$plain = new Client($options);
$stack = HandlerStack::create();
$stack->push(Middleware::log($httpLog, new MessageFormatter(MessageFormatter::DEBUG)));
$logged = new Client($options + ['handler' => $stack]);
// the partner APIs (payments, SMS, OAuth, push) go through a client that logs every exchange in
// MessageFormatter's default template (CLF): status only, never an Easemob event
$partnerStack = HandlerStack::create();
$partnerStack->push(Middleware::log($httpLog, new MessageFormatter()));
$partner = new Client($options + ['handler' => $partnerStack]);

$manifest = [];

function record(array $step, $attempt, ?int $status, string $outcome, ?string $method = null, ?string $path = null): void
{
    global $manifest;
    $manifest[] = ['rid' => $step['rid'], 'attempt' => $attempt, 'status' => $status, 'outcome' => $outcome,
        'api' => $step['api'], 'method' => $method ?? $step['method'], 'path' => $path ?? $step['path']];
}

/** One attempt: [url, response|null, exception|null, ms]. 4xx/5xx come back with their RequestException. */
function send(Client $client, array $step, string $base, string $rid): array
{
    global $TOKEN;
    $url = $base . $step['path'];
    $headers = ['X-Request-Id' => $rid, 'Authorization' => 'Bearer ' . $TOKEN];
    if (!empty($step['ctype'])) {
        $headers['Content-Type'] = $step['ctype'];
    }
    $opts = ['headers' => $headers];
    if (array_key_exists('body', $step) && $step['body'] !== null) {
        $opts['body'] = $step['body'];
    }
    $t0 = microtime(true);
    try {
        $resp = $client->request($step['method'], $url, $opts);
        return [$url, $resp, null, (int) ((microtime(true) - $t0) * 1000)];
    } catch (RequestException $e) {
        return [$url, $e->getResponse(), $e, (int) ((microtime(true) - $t0) * 1000)];
    } catch (GuzzleException $e) {
        return [$url, null, $e, (int) ((microtime(true) - $t0) * 1000)];
    }
}

function suffix(array $ctx): string
{
    switch ($ctx['next']) {
        case 'retry':
            return sprintf('; retrying in %dms (attempt %d/%d)', $ctx['delay_ms'], $ctx['attempt'], MAX_ATTEMPTS);
        case 'refresh':
            return '; token rejected, refreshing app token and retrying';
        case 'giveup':
            return sprintf('; giving up after %d attempts', $ctx['attempt']);
    }
    return '';
}

/** Whether this attempt goes through the client with the log middleware: the step's style says so
 * (for time-outs: its tstyle, on the attempts scripted to get no answer), and a quarter of the
 * plain successful calls, so the middleware's records are not only failures. */
function viaMiddleware(array $step, string $planned): bool
{
    if ($step['style'] === 'mwdebug') {
        return true;
    }
    if ($step['tstyle'] === 'mwdebug' && in_array($planned, ['hang', 'reset', 'refused', 'ctimeout'], true)) {
        return true;
    }
    return $step['api'] === 'easemob' && $step['answers'] === ['ok'] && hexdec($step['rid'][0]) < 4;
}

function failure(array $step, $resp, ?\Throwable $e, array $ctx): void
{
    global $log;
    $level = in_array($ctx['next'], ['retry', 'refresh'], true) ? 'warning' : 'error';
    $sfx = suffix($ctx);
    if ($ctx['via_mw']) {
        return; // Middleware::log has written the request, the response and the error
    }
    if ($resp !== null) {
        if ($step['style'] === 'gzexc' && $e !== null) {
            $log->log($level, $e->getMessage() . $sfx, ['exception' => $e, 'request_id' => $ctx['rid']]);
            return;
        }
        $raw = (string) $resp->getBody();
        $decoded = json_decode($raw, true);
        $log->log($level, sprintf('%s failed%s', $step['desc'], $sfx), [
            'request_id' => $ctx['rid'], 'method' => $step['method'], 'uri' => $ctx['url'],
            'status' => $resp->getStatusCode(), 'body' => is_array($decoded) ? $decoded : $raw, 'attempt' => $ctx['attempt'],
        ]);
        return;
    }
    if ($step['tstyle'] === 'exc') {
        $log->log($level, sprintf('%s failed%s', $step['desc'], $sfx), ['exception' => $e, 'request_id' => $ctx['rid'], 'uri' => $ctx['url']]);
    } else {
        $log->log($level, sprintf('%s failed [%s]: %s%s', $step['desc'], $ctx['rid'], $e->getMessage(), $sfx));
    }
}

function easemobCall(array $step): void
{
    global $EASEMOB, $DEAD, $BLACKHOLE, $log, $plain, $logged;
    $refreshed = false;
    for ($attempt = 1; ; $attempt++) {
        $rid = sprintf('req-%s-%d', $step['rid'], $attempt);
        // beyond the scripted answers the server answers "ok" (a timing hiccup can add an attempt)
        $planned = $step['answers'][$attempt - 1] ?? 'ok';
        $viaMw = viaMiddleware($step, $planned);
        [$url, $resp, $e, $ms] = send($viaMw ? $logged : $plain, $step, ['refused' => $DEAD, 'ctimeout' => $BLACKHOLE][$planned] ?? $EASEMOB, $rid);
        $status = $resp !== null ? $resp->getStatusCode() : null;
        record($step, $attempt, $status, $status === null ? 'no_response' : ($status < 400 ? 'ok' : 'http_error'));
        $ctx = ['rid' => $rid, 'attempt' => $attempt, 'url' => $url, 'ms' => $ms, 'delay_ms' => 20 * 2 ** ($attempt - 1), 'via_mw' => $viaMw];
        if ($status !== null && $status < 400) {
            $log->info(sprintf('%s %s -> %d (%dms)', $step['method'], $url, $status, $ms),
                ['request_id' => $rid, 'body' => json_decode((string) $resp->getBody(), true)]);
            return;
        }
        $retryable = $status === null || in_array($status, RETRYABLE, true);
        if ($status === 401 && !$refreshed) {
            $ctx['next'] = 'refresh';
        } elseif ($retryable && $attempt < MAX_ATTEMPTS) {
            $ctx['next'] = 'retry';
        } elseif ($retryable || $status === 401) {
            $ctx['next'] = 'giveup';
        } else {
            $ctx['next'] = 'fail';
        }
        failure($step, $resp, $e, $ctx);
        if ($ctx['next'] === 'refresh') {
            $refreshed = true;
            [, $org, $app] = explode('/', $step['path']);
            $tstep = array_merge($step, ['op' => 'getAppToken', 'method' => 'POST', 'path' => "/$org/$app/token", 'ctype' => 'application/json',
                'desc' => 'refresh app token', 'answers' => ['ok'],
                'body' => json_encode(['grant_type' => 'client_credentials', 'client_id' => 'YXA6' . $step['rid'], 'client_secret' => 'YXA6' . strrev($step['rid'])])]);
            $trid = sprintf('req-%s-r', $step['rid']);
            $tViaMw = $step['style'] === 'mwdebug';
            [$turl, $tresp, $te, $tms] = send($tViaMw ? $logged : $plain, $tstep, $EASEMOB, $trid);
            $tstatus = $tresp !== null ? $tresp->getStatusCode() : null;
            record($step, 'r', $tstatus, 'token', 'POST', $tstep['path']);
            if ($tstatus !== null && $tstatus < 400) {
                $log->info('easemob app token refreshed', ['request_id' => $trid]);
            } else {
                failure($tstep, $tresp, $te, ['rid' => $trid, 'attempt' => 1, 'url' => $turl, 'ms' => $tms, 'next' => 'fail', 'delay_ms' => 0, 'via_mw' => $tViaMw]);
            }
            continue;
        }
        if ($ctx['next'] === 'retry') {
            usleep($ctx['delay_ms'] * 1000);
            continue;
        }
        return;
    }
}

function otherCall(array $step): void
{
    global $OTHER, $root, $partner;
    $rid = sprintf('req-%s-1', $step['rid']);
    [$url, $resp, $e, $ms] = send($partner, $step, $OTHER, $rid);
    $status = $resp !== null ? $resp->getStatusCode() : null;
    record($step, 1, $status, 'other');
    $l = channel($step['svc'] ?? 'other');
    if ($status !== null && $status < 400) {
        $l->info(sprintf('%s ok', $step['desc']), ['request_id' => $rid, 'status' => $status, 'body' => json_decode((string) $resp->getBody(), true)]);
    } elseif ($resp !== null) {
        $l->error(sprintf('%s failed: %s', $step['desc'], $e->getMessage()), ['request_id' => $rid, 'status' => $status]);
    } else {
        $l->error(sprintf('%s failed', $step['desc']), ['request_id' => $rid, 'exception' => $e]);
    }
}

function line(array $step): void
{
    global $root;
    $l = channel($step['logger']);
    $level = ['debug' => 'debug', 'info' => 'info', 'warn' => 'warning', 'error' => 'error'][$step['level']];
    $context = [];
    if (isset($step['data'])) {
        $context = $step['logger'] === 'easemob.callback' ? ['payload' => $step['data']] : $step['data'];
    }
    $l->log($level, $step['msg'], $context);
}

foreach (file($PLAN, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $ln) {
    $step = json_decode($ln, true, 512, JSON_THROW_ON_ERROR);
    if ($step['t'] === 'log') {
        line($step);
    } elseif ($step['api'] === 'other') {
        otherCall($step);
    } elseif ($step['api'] === 'easemob') {
        easemobCall($step);
    }
}
file_put_contents($MANIFEST, implode('', array_map(fn ($m) => json_encode($m) . "\n", $manifest)));
$handler->close();
