# frozen_string_literal: true

# App server "campfire": Ruby + Faraday 1.x (net_http adapter, the :raise_error middleware)
# and Ruby's stdlib Logger with its default formatter ("E, [time #pid] ERROR -- progname: msg").
#
# Failure styles (plan "style" / "tstyle"):
#   resp     rescue Faraday::ClientError/ServerError => e; the message + e.response[:body]
#   inspect  the message + e.response.inspect (status, headers, body, request as a Ruby Hash)
#   mw       the call goes through a connection with Faraday's :logger middleware
#            (bodies: true, the Bearer token filtered): request line, headers and body, then
#            "Status 4xx", response headers and body, each its own record; the app then logs
#            only the exception class and message
#   exc      (no response) Logger#error(exception) with the request id as progname: Logger
#            prints "message (class)" and the backtrace
#   plain    (no response) one line with the class and message
# Retry policy as every client of the kit: 401 -> refresh the app token once; time-out,
# connection error, 429/502/503/504 -> back off, 3 attempts at most.
require 'json'
require 'logger'
require 'faraday'

MAX_ATTEMPTS = 3
RETRYABLE = [429, 502, 503, 504].freeze

def env!(key)
  v = ENV[key]
  if v.nil? || v.empty?
    warn "missing env #{key}"
    exit 2
  end
  v
end

PLAN = env!('PLAN')
LOG = env!('LOG')
MANIFEST = env!('MANIFEST')
EASEMOB = env!('EASEMOB_BASE')
OTHER = env!('OTHER_BASE')
DEAD = env!('DEAD_BASE')
BLACKHOLE = env!('BLACKHOLE_BASE')
TIMEOUT = Integer(ENV.fetch('TIMEOUT_MS', '300')) / 1000.0
TOKEN = "YWMtRb#{Process.pid}Vw3AAABjK6cR1oAAAAAAAAAAAAAAAAAAAA"

$logger = Logger.new(LOG)
$logger.level = Logger::DEBUG

def connection(with_logger)
  Faraday.new(request: { timeout: TIMEOUT, open_timeout: TIMEOUT }) do |f|
    f.response :raise_error
    if with_logger
      f.response :logger, $logger, bodies: true do |l|
        l.filter(/(Bearer )[\w-]+/, '\1[FILTERED]')
      end
    end
    f.adapter :net_http
  end
end
PLAIN = connection(false)
LOGGED = connection(true)

$manifest = []
def record(step, attempt, status, outcome, method = nil, path = nil)
  $manifest << { rid: step['rid'], attempt: attempt, status: status, outcome: outcome, api: step['api'],
                 method: method || step['method'], path: path || step['path'] }
end

# One attempt: [url, response_hash|nil, exception|nil, ms]
def send_once(conn, step, base, rid)
  url = base + step['path']
  headers = { 'X-Request-Id' => rid, 'Authorization' => "Bearer #{TOKEN}" }
  headers['Content-Type'] = step['ctype'] if step['ctype']
  t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  ms = -> { ((Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0) * 1000).to_i }
  begin
    resp = conn.run_request(step['method'].downcase.to_sym, url, step['body'], headers)
    [url, { status: resp.status, headers: resp.headers, body: resp.body }, nil, ms.call]
  rescue Faraday::ClientError, Faraday::ServerError => e
    [url, e.response, e, ms.call]
  rescue Faraday::Error => e
    [url, nil, e, ms.call]
  end
end

def suffix(ctx)
  case ctx[:next]
  when 'retry' then "; retrying in #{ctx[:delay_ms]}ms (attempt #{ctx[:attempt]}/#{MAX_ATTEMPTS})"
  when 'refresh' then '; token rejected, refreshing app token and retrying'
  when 'giveup' then "; giving up after #{ctx[:attempt]} attempts"
  else ''
  end
end

def via_middleware?(step, planned)
  return true if step['style'] == 'mw'
  return true if step['tstyle'] == 'mw' && %w[hang reset refused ctimeout].include?(planned)

  step['api'] == 'easemob' && step['answers'] == ['ok'] && step['rid'][0].to_i(16) < 4
end

def failure(step, resp, err, ctx)
  level = %w[retry refresh].include?(ctx[:next]) ? Logger::WARN : Logger::ERROR
  sfx = suffix(ctx)
  rid = ctx[:rid]
  if resp
    if ctx[:via_mw]
      $logger.add(level, "#{step['desc']} failed [#{rid}]: #{err.class}: #{err.message}#{sfx}")
    elsif step['style'] == 'inspect'
      $logger.add(level, "#{step['desc']} failed [#{rid}]: #{err.class}: #{err.message} #{resp.inspect}#{sfx}")
    else
      $logger.add(level, "#{step['desc']} failed [#{rid}]: #{err.message}: #{resp[:body]}#{sfx}")
    end
  elsif step['tstyle'] == 'exc'
    $logger.add(level, err, "easemob #{rid}")
  else
    $logger.add(level, "#{step['desc']} failed [#{rid}]: #{err.class}: #{err.message}#{sfx}")
  end
end

def easemob_call(step)
  refreshed = false
  attempt = 0
  loop do
    attempt += 1
    rid = "req-#{step['rid']}-#{attempt}"
    # beyond the scripted answers the server answers "ok" (a timing hiccup can add an attempt)
    planned = step['answers'][attempt - 1] || 'ok'
    via_mw = via_middleware?(step, planned)
    url, resp, err, ms = send_once(via_mw ? LOGGED : PLAIN, step, { 'refused' => DEAD, 'ctimeout' => BLACKHOLE }.fetch(planned, EASEMOB), rid)
    status = resp && resp[:status]
    record(step, attempt, status, status.nil? ? 'no_response' : (status < 400 ? 'ok' : 'http_error'))
    ctx = { rid: rid, attempt: attempt, url: url, ms: ms, delay_ms: 20 * 2**(attempt - 1), via_mw: via_mw }
    if status && status < 400
      $logger.info("#{step['method']} #{url} -> #{status} (#{ms}ms) [#{rid}] #{resp[:body]}")
      return
    end
    retryable = status.nil? || RETRYABLE.include?(status)
    ctx[:next] = if status == 401 && !refreshed then 'refresh'
                 elsif retryable && attempt < MAX_ATTEMPTS then 'retry'
                 elsif retryable || status == 401 then 'giveup'
                 else 'fail'
                 end
    failure(step, resp, err, ctx)
    case ctx[:next]
    when 'refresh'
      refreshed = true
      _, org, app = step['path'].split('/')
      tstep = step.merge('op' => 'getAppToken', 'method' => 'POST', 'path' => "/#{org}/#{app}/token", 'ctype' => 'application/json',
                         'desc' => 'refresh app token', 'answers' => ['ok'],
                         'body' => JSON.generate(grant_type: 'client_credentials', client_id: "YXA6#{step['rid']}", client_secret: "YXA6#{step['rid'].reverse}"))
      trid = "req-#{step['rid']}-r"
      t_mw = step['style'] == 'mw'
      turl, tresp, terr, tms = send_once(t_mw ? LOGGED : PLAIN, tstep, EASEMOB, trid)
      tstatus = tresp && tresp[:status]
      record(step, 'r', tstatus, 'token', 'POST', tstep['path'])
      if tstatus && tstatus < 400
        $logger.info("easemob app token refreshed [#{trid}]")
      else
        failure(tstep, tresp, terr, { rid: trid, attempt: 1, url: turl, ms: tms, next: 'fail', delay_ms: 0, via_mw: t_mw })
      end
    when 'retry'
      sleep(ctx[:delay_ms] / 1000.0)
    else
      return
    end
  end
end

def other_call(step)
  rid = "req-#{step['rid']}-1"
  url, resp, err, = send_once(PLAIN, step, OTHER, rid)
  status = resp && resp[:status]
  record(step, 1, status, 'other')
  tag = step['svc'] || 'other'
  if status && status < 400
    $logger.info(tag) { "#{step['desc']} ok: #{step['method']} #{url} -> #{status} [#{rid}] #{resp[:body]}" }
  elsif resp
    $logger.error(tag) { "#{step['desc']} failed [#{rid}]: #{err.message}: #{resp[:body]}" }
  else
    $logger.error(tag) { "#{step['desc']} failed [#{rid}]: #{err.class}: #{err.message}" }
  end
end

LEVELS = { 'debug' => Logger::DEBUG, 'info' => Logger::INFO, 'warn' => Logger::WARN, 'error' => Logger::ERROR }.freeze
def line(step)
  msg = step['msg']
  msg = "#{msg}: #{step['data'].inspect}" if step['data'] && step['logger'] == 'easemob.callback'
  $logger.add(LEVELS.fetch(step['level']), msg, step['logger'])
end

File.foreach(PLAN) do |ln|
  next if ln.strip.empty?

  step = JSON.parse(ln)
  if step['t'] == 'log' then line(step)
  elsif step['api'] == 'other' then other_call(step)
  elsif step['api'] == 'easemob' then easemob_call(step)
  end
end
File.write(MANIFEST, $manifest.map { |m| "#{JSON.generate(m)}\n" }.join)
$logger.close
