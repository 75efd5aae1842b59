import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, run, byLine } from './helpers.js';

// Serilog (compact `@x`/`@m` and the classic JsonFormatter) and Ruby Faraday errors.
const { events, p } = run(fixture('dotnet-ruby.log'));
const fields = (line: number): unknown[] => {
  const e = byLine(events, line);
  return [e.status, e.method, e.endpoint, e.appkey, e.exception, e.parser];
};

test('dotnet-ruby: one event per failed Easemob call', () => {
  // Line 6 names no URL or host: not attributable to Easemob.
  assert.deepEqual(events.map((e) => e.line), [1, 2, 5]);
  assert.equal(p.stats.malformed, 0);
});

test('dotnet-ruby: Serilog CLEF — status from the `@x` exception text, URL from properties', () => {
  assert.deepEqual(fields(1), [429, 'POST', '/messages/users', 'acme#chat', 'System.Net.Http.HttpRequestException', 'json']);
  assert.equal(byLine(events, 1).ts, Date.UTC(2026, 10, 27, 2, 40, 0, 123));
});

test('dotnet-ruby: Serilog JsonFormatter — `Exception` and `Properties`', () => {
  assert.deepEqual(fields(2), [401, 'DELETE', '/users/{username}', 'acme#chat', 'System.Net.Http.HttpRequestException', 'json']);
});

test('dotnet-ruby: Faraday error class with its Ruby namespace', () => {
  assert.deepEqual(fields(5), [400, 'POST', '/users', 'acme#chat', 'Faraday::BadRequestError', 'embedded']);
});
