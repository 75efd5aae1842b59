import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact } from '../../src/parse/redact.js';
import { run } from './helpers.js';

const R = '[REDACTED]';

test('redact: Easemob tokens, client ids, Agora tokens', () => {
  assert.equal(redact('token YWMtA1b2C3d4E5f6G7h8I9j0_kLmNoPqRs-tUvWxYz ok'), `token ${R} ok`);
  assert.equal(redact('client YXA6q2w3e4r5t6y7u8i9o0p end'), `client ${R} end`);
  assert.equal(redact('agora 007eJxTYLhWdpE7uuesFVKVOIqpGytTWZWJHmWWHQ== x'), `agora ${R} x`);
  assert.equal(redact('agora 006a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6IAAx9f end'), `agora ${R} end`);
  // Numeric ids (message ids, group ids) are not tokens.
  assert.equal(redact('msg 0061239847293847123456789012 group 40659491815425'), 'msg 0061239847293847123456789012 group 40659491815425');
});

test('redact: Authorization Bearer/Basic in text and JSON header objects', () => {
  assert.equal(redact('Authorization: Bearer abc.def-ghi'), `Authorization: Bearer ${R}`);
  assert.equal(redact('authorization=Basic dXNlcjpwYXNz'), `authorization=Basic ${R}`);
  assert.equal(redact('{"headers":{"authorization":"Bearer abc.def","accept":"*/*"}}'), `{"headers":{"authorization":"Bearer ${R}","accept":"*/*"}}`);
  assert.equal(redact('{"Authorization":"YWMtabcdefghijklmnop"}'), `{"Authorization":"${R}"}`);
  assert.equal(redact('{"authorization":"opaque-value"}'), `{"authorization":"${R}"}`);
  assert.equal(redact('-H "Authorization: Bearer YWMtxyzxyzxyzxyz"'), `-H "Authorization: Bearer ${R}"`);
});

test('redact: secret keys in JSON, escaped JSON, Python repr', () => {
  assert.equal(
    redact('{"grant_type":"client_credentials","client_id":"id1","client_secret":"s3cr3t"}'),
    `{"grant_type":"client_credentials","client_id":"id1","client_secret":"${R}"}`,
  );
  assert.equal(redact('{"username":"bob","password":"p@ss \\"w\\""}'), `{"username":"bob","password":"${R}"}`);
  assert.equal(redact('body="{\\"newpassword\\":\\"n3w\\",\\"x\\":1}"'), `body="{\\"newpassword\\":\\"${R}\\",\\"x\\":1}"`);
  assert.equal(redact("{'secret': 'abc', 'api_key': 'k'}"), `{'secret': '${R}', 'api_key': '${R}'}`);
  assert.equal(redact('{"access_token":"tok","token":"t2","expires_in":3600}'), `{"access_token":"${R}","token":"${R}","expires_in":3600}`);
});

test('redact: query strings, form bodies and key=value / key: value text', () => {
  assert.equal(redact('GET /acme/chat/users?access_token=abc123&limit=10'), `GET /acme/chat/users?access_token=${R}&limit=10`);
  assert.equal(redact('grant_type=client_credentials&client_id=x&client_secret=s3&ttl=1'), `grant_type=client_credentials&client_id=x&client_secret=${R}&ttl=1`);
  assert.equal(redact('login password: hunter2 api_key=k1, secret=s2; token=t3'), `login password: ${R} api_key=${R}, secret=${R}; token=${R}`);
});

test('redact: error codes and descriptions that merely mention tokens stay readable', () => {
  const s = '{"error":"auth_bad_access_token","error_description":"Unable to authenticate due to expired access token"}';
  assert.equal(redact(s), s);
  assert.equal(redact('POST /acme/chat/token -> 400'), 'POST /acme/chat/token -> 400');
});

test('redact: applied to raw, url and description of emitted events', () => {
  const { events } = run([
    '2026-11-27 10:16:00.000 ERROR [main] c.a.Im - POST https://a1.easemob.com/acme/chat/token?client_secret=s3cr3t failed status=400 body={"error":"invalid_grant","exception":"EasemobSecurityException","error_description":"client_secret s3cr3t password=hunter2 does not match"} Authorization: Bearer YWMtabcdefghijklmnopqrstu',
  ]);
  assert.equal(events.length, 1);
  const e = events[0];
  assert.equal(e.url, `https://a1.easemob.com/acme/chat/token?client_secret=${R}`);
  assert.equal(e.errorDescription, `client_secret s3cr3t password=${R} does not match`);
  assert.ok(!e.raw.includes('hunter2'));
  assert.ok(!e.raw.includes('YWMtabc'));
  assert.ok(!e.raw.includes('client_secret=s3cr3t'));
});

test('redact: a secret whose value was cut off (Guzzle " (truncated...)", line caps) goes to the end of its line', () => {
  assert.equal(
    redact('response: {"grant_type":"client_credentials","client_id":"abc","client_secret":"s3cr3tvalue-very (truncated...)'),
    'response: {"grant_type":"client_credentials","client_id":"abc","client_secret":"[REDACTED]',
  );
  assert.equal(redact('body={"username":"bob","password":"hunter2hunter2\nnext line'), 'body={"username":"bob","password":"[REDACTED]\nnext line');
  assert.equal(redact('{"password":"a","x":"b"}'), '{"password":"[REDACTED]","x":"b"}');
});
