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
  // A secret spoken in prose goes too (it has digits: not an ordinary word).
  assert.equal(e.errorDescription, `client_secret ${R} password=${R} does not match`);
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

test('redact: URL userinfo keeps the user, drops the password; a bare userinfo token goes whole', () => {
  assert.equal(redact('POST https://svc:Pr0d!pw@a1.easemob.com/o/a/users'), `POST https://svc:${R}@a1.easemob.com/o/a/users`);
  assert.equal(redact('GET https://ghp0123456789abcdef@git.example.com/x'), `GET https://${R}@git.example.com/x`);
  // An @ in the path is not userinfo.
  assert.equal(redact('GET https://a1.easemob.com/o/a/users/bob@example.com'), 'GET https://a1.easemob.com/o/a/users/bob@example.com');
});

test('redact: percent-encoded tokens and values, tokens right after _ or =', () => {
  assert.equal(redact('users?access_token=YWMtq7Rk%2Bb4mAg%2FkqVz0D8rN1pW3&x=1'), `users?access_token=${R}&x=1`);
  assert.equal(redact('ref YWMtq7Rk2Pz1EeyZ%2Bb4mAgAAG end'), `ref ${R} end`);
  assert.equal(redact('users?token_YWMt8fJk2L0qPzXc_Rt5yH7m -> 401'), `users?token_${R} -> 401`);
  assert.equal(redact('pwd=Carol%21Pass99&x=1'), `pwd=${R}&x=1`);
  assert.equal(redact('form password%3DH4l%2BP%40ss'), `form password%3D${R}`);
});

test('redact: JWTs anywhere, AWS key ids, prefixed tokens, Slack webhook paths', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.Qm3xK9vH2pLr7TgYw4ZsNc';
  assert.equal(redact(`status=401 session_${jwt} x`), `status=401 session_${R} x`);
  assert.equal(redact(`failed (${jwt})`), `failed (${R})`);
  assert.equal(redact('key AKIAZ7QX3MBN5LRT2WPK used'), `key ${R} used`);
  assert.equal(redact('slack xoxb-1234567890-abcdefghij and ghp_abcdefghijklmnopqrstuvwxyz0123456789'), `slack ${R} and ${R}`);
  assert.equal(redact('via https://hooks.slack.com/services/T0/B0/xYzS3cret'), `via https://hooks.slack.com/services/${R}`);
});

test('redact: api keys, pwd/passwd/appSecret/secret under any spelling of the key', () => {
  assert.equal(redact('X-Api-Key: gk_51a2b3c4'), `X-Api-Key: ${R}`);
  assert.equal(redact('{"x-api-key":"wk_9d8c","api-key":"a1","apikey":"a2"}'), `{"x-api-key":"${R}","api-key":"${R}","apikey":"${R}"}`);
  assert.equal(redact('?appSecret=ZxCv123&passwd=p1&pwd=p2'), `?appSecret=${R}&passwd=${R}&pwd=${R}`);
  assert.equal(redact('{"awsSecret":"k9Tz/Eu","agoraToken":"007x"}'), `{"awsSecret":"${R}","agoraToken":"${R}"}`);
  assert.equal(redact('ConnectionString=Server=db;User Id=im;Password=DotN3t;'), `ConnectionString=Server=db;User Id=im;Password=${R};`);
});

test('redact: Cookie and Set-Cookie in text, JSON strings and JSON arrays; Ruby hashes; Python auth tuples', () => {
  assert.equal(redact('<-- 403 Set-Cookie: JSESSIONID=8F3C2A; Path=/; HttpOnly'), `<-- 403 Set-Cookie: ${R}`);
  assert.equal(redact('headers: {Cookie=[SESSION=ZmE4; remember_me=cmVt]} {"error":"x"}'), `headers: {Cookie=[${R}]} {"error":"x"}`);
  assert.equal(redact('{"set-cookie":["sid=a; Path=/","b=c"],"x":1}'), `{"set-cookie":["${R}","${R}"],"x":1}`);
  assert.equal(redact('{"Authorization":["Bearer YWMtabcdefghijkl"],"Cookie":["PHPSESSID=php9"]}'), `{"Authorization":["Bearer ${R}"],"Cookie":["${R}"]}`);
  assert.equal(redact('params={:username=>"gina", :password=>"G1na-Pw"}'), `params={:username=>"gina", :password=>"${R}"}`);
  assert.equal(redact("auth=('orgadmin', 'Hk7#pQ2!zR9w')"), `auth=('orgadmin', '${R}')`);
});

test('redact: a password in an exception message; ordinary words after "password" stay', () => {
  assert.equal(redact("EMException: login failed for admin with password 'Winter2026#ops' status=401"), `EMException: login failed for admin with password '${R}' status=401`);
  assert.equal(redact('invalid_grant: wrong password hunter2024! for org admin'), `invalid_grant: wrong password ${R} for org admin`);
  assert.equal(redact('password reset failed for user bob'), 'password reset failed for user bob');
  assert.equal(redact('Authorization: Token tk_5f4e3d'), `Authorization: Token ${R}`);
  assert.equal(redact('Authorization: Digest username="a", response="6629fae49393a05397450978507c4ef1"'), `Authorization: Digest ${R}`);
});
