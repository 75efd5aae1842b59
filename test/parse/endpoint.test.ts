import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEndpoint, isEasemobHost, looksLikeEasemobPath } from '../../src/parse/endpoint.js';
import { TEMPLATES } from '../../src/parse/templates.js';

const H = 'https://a1.easemob.com/acme/chat';

// Concrete URL → expected template (doc placeholder names canonicalised).
const CASES: [string, string][] = [
  [`${H}/users/bob`, '/users/{username}'],
  [`${H}/users`, '/users'],
  [`${H}/users/bob/password`, '/users/{username}/password'],
  [`${H}/users/bob/contacts/users/alice`, '/users/{username}/contacts/users/{friend_username}'],
  [`${H}/users/bob/blocks/users/mallory`, '/users/{username}/blocks/users/{blocked_username}'],
  [`${H}/users/bob/blocks/users`, '/users/{username}/blocks/users'],
  [`${H}/users/bob/offline_msg_count`, '/users/{username}/offline_msg_count'],
  [`${H}/users/bob/offline_msg_status/1239847293847`, '/users/{username}/offline_msg_status/{msg_id}'],
  [`${H}/users/bob/disconnect/android_1234`, '/users/{username}/disconnect/{resource}'],
  [`${H}/users/bob/joined_chatrooms`, '/users/{username}/joined_chatrooms'],
  [`${H}/users/bob/joined_chatgroups`, '/users/{username}/joined_chatgroups'],
  [`${H}/users/bob/presence/sublist`, '/users/{username}/presence/sublist'],
  [`${H}/users/bob/presence/android/1`, '/users/{username}/presence/{resource}/{status}'],
  [`${H}/users/bob/notification/language`, '/users/{username}/notification/language'],
  [`${H}/users/bob/notification/user/alice`, '/users/{username}/notification/{chattype}/{key}'],
  [`${H}/users/bob/push/binding`, '/users/{username}/push/binding'],
  [`${H}/users/batch/status`, '/users/batch/status'],
  [`${H}/user/bob/contacts`, '/user/{username}/contacts'],
  [`${H}/token`, '/token'],
  [`${H}/chatgroups`, '/chatgroups'],
  [`${H}/chatgroups/40659491815425`, '/chatgroups/{group_id}'],
  [`${H}/chatgroups/40659491815425/users`, '/chatgroups/{group_id}/users'],
  [`${H}/chatgroups/40659491815425/users/bob,alice,carol`, '/chatgroups/{group_id}/users/{username}'],
  [`${H}/chatgroups/40659491815425/mute/u1,u2`, '/chatgroups/{group_id}/mute/{username}'],
  [`${H}/chatgroups/40659491815425/blocks/users/bob`, '/chatgroups/{group_id}/blocks/users/{username}'],
  [`${H}/chatgroups/40659491815425/white/users`, '/chatgroups/{group_id}/white/users'],
  [`${H}/chatgroups/40659491815425/share_files/0b3f4e30-1111-2222-3333-444455556666`, '/chatgroups/{group_id}/share_files/{file_id}'],
  [`${H}/chatgroups/40659491815425/user/bob/is_joined`, '/chatgroups/{group_id}/user/{username}/is_joined'],
  [`${H}/chatgroups/user/bob`, '/chatgroups/user/{username}'],
  [`${H}/chatgroups/40659491815425/announcement`, '/chatgroups/{group_id}/announcement'],
  [`${H}/chatrooms/super_admin`, '/chatrooms/super_admin'],
  [`${H}/chatrooms/super_admin/bob`, '/chatrooms/super_admin/{username}'],
  [`${H}/chatrooms/200987654321`, '/chatrooms/{chatroom_id}'],
  [`${H}/chatrooms/200987654321/users/bob`, '/chatrooms/{chatroom_id}/users/{username}'],
  [`${H}/chatrooms/200987654321/admin/bob`, '/chatrooms/{chatroom_id}/admin/{username}'],
  [`${H}/chatrooms/200987654321/ban`, '/chatrooms/{chatroom_id}/ban'],
  [`${H}/chatmessages/2018020918`, '/chatmessages/{time}'],
  [`${H}/chatmessages?ql=select+*&limit=10`, '/chatmessages'],
  [`${H}/chatfiles`, '/chatfiles'],
  [`${H}/chatfiles/0b3f4e30-1111-2222-3333-444455556666`, '/chatfiles/{file_id}'],
  [`${H}/messages`, '/messages'],
  [`${H}/messages?useMsgId=true`, '/messages'],
  [`${H}/messages/users`, '/messages/users'],
  [`${H}/messages/chatgroups`, '/messages/chatgroups'],
  [`${H}/messages/chatrooms/broadcast`, '/messages/chatrooms/broadcast'],
  [`${H}/messages/users/import`, '/messages/users/import'],
  [`${H}/messages/msg_recall`, '/messages/msg_recall'],
  [`${H}/messages/recall`, '/messages/recall'],
  [`${H}/messages/rewrite/1239847293847`, '/messages/rewrite/{msg_id}'],
  [`${H}/metadata/user/bob`, '/metadata/user/{username}'],
  [`${H}/metadata/user/capacity`, '/metadata/user/capacity'],
  [`${H}/metadata/user/get`, '/metadata/user/get'],
  [`${H}/metadata/chatroom/200987654321/user/bob/forced`, '/metadata/chatroom/{chatroom_id}/user/{username}/forced'],
  [`${H}/metadata/chatgroup/40659491815425/users/batch`, '/metadata/chatgroup/{group_id}/users/batch'],
  [`${H}/mutes`, '/mutes'],
  [`${H}/mutes/bob`, '/mutes/{username}'],
  [`${H}/notification/template/welcome`, '/notification/template/{name}'],
  [`${H}/push/nickname`, '/push/nickname'],
  [`${H}/reaction/user/bob/detail`, '/reaction/user/{username}/detail'],
  [`${H}/rest/message/roaming/chat/user/bob/time`, '/rest/message/roaming/chat/user/{username}/time'],
  [`${H}/rest/message/roaming/user/bob/delete/all`, '/rest/message/roaming/user/{username}/delete/all'],
  [`${H}/thread`, '/thread'],
  [`${H}/thread/177916702949377`, '/thread/{thread_id}'],
  [`${H}/thread/177916702949377/users`, '/thread/{thread_id}/users'],
  [`${H}/threads/chatgroups/40659491815425/user/bob`, '/threads/chatgroups/{group_id}/user/{username}'],
  [`${H}/presence/online/40659491815425/type/2`, '/presence/online/{group_id}/type/{query_type}'],
];

test('endpoint: concrete URLs map to the doc templates', () => {
  for (const [url, tpl] of CASES) {
    const r = parseEndpoint(url);
    assert.equal(r.endpoint, tpl, url);
    assert.equal(r.appkey, 'acme#chat', url);
    assert.equal(r.host, 'a1.easemob.com', url);
  }
});

test('endpoint: every stored template maps to itself (after canonical renaming)', () => {
  const canon = (t: string) =>
    t.replace(/\{(userId|uid|owner_username|usernames|members|superAdmin|oldadmin)\}/g, '{username}')
      .replace('{member1}(,{member2},…)', '{username}').replace('{chatroomid}', '{chatroom_id}')
      .replace('{file_uuid}', '{file_id}').replace('{resourceId}', '{resource}').replace('{contact}', '{friend_username}');
  assert.ok(TEMPLATES.length >= 120);
  for (const t of TEMPLATES) {
    // Put concrete values where the placeholders are, then normalise back.
    const concrete = t.replace(/\{[^}]+\}(\(,\{member2\},…\))?/g, 'x1');
    assert.equal(parseEndpoint('/org1/app1' + concrete).endpoint, canon(t), t);
  }
});

test('endpoint: GET/DELETE of one user give exactly /users/{username} (rows E31/E32)', () => {
  for (const u of ['/acme/chat/users/bob', 'https://a1.easemob.com/acme/chat/users/bob', 'http://a61.easemob.com:80/acme/chat/users/bob/', `${H}/users/u_123?x=1`, `${H}/users/bob#frag`]) {
    assert.equal(parseEndpoint(u).endpoint, '/users/{username}', u);
  }
});

test('endpoint: query string dropped, host lower-cased, userinfo and port removed', () => {
  assert.deepEqual(parseEndpoint('https://user:pw@A1.EaseMob.com:443/acme/chat/users/bob?access_token=x&limit=1'), {
    host: 'a1.easemob.com', appkey: 'acme#chat', endpoint: '/users/{username}', path: '/acme/chat/users/bob',
  });
});

test('endpoint: Shengwang /app-id/{app_id}/ prefix', () => {
  assert.deepEqual(parseEndpoint('https://im.example.cn/app-id/8a7c1e0f/users/bob/disconnect/ios_1'), {
    host: 'im.example.cn', appkey: '8a7c1e0f', endpoint: '/users/{username}/disconnect/{resource}', path: '/app-id/8a7c1e0f/users/bob/disconnect/ios_1',
  });
  assert.equal(parseEndpoint('/app-id/8a7c1e0f/messages/recall').endpoint, '/messages/recall');
  assert.equal(parseEndpoint('/app-id/8a7c1e0f/users/bob/chatfiles/lifetime').endpoint, '/users/{username}/chatfiles/lifetime');
  assert.equal(parseEndpoint('https://im.example.cn/app-id/0c7f3e2a9b1d4e6f8a5c3b2d1e0f9a8b/messages/users').appkey, '0c7f3e2a9b1d4e6f8a5c3b2d1e0f9a8b');
});

test('endpoint: Agora Chat push-label / push-task paths and the callback-storage API are templates', () => {
  const t = (u: string) => parseEndpoint(`https://a41.chat.agora.io/61117440/991380${u}`).endpoint;
  assert.equal(t('/push/label/vip/user/alice'), '/push/label/{labelname}/user/{member}');
  assert.equal(t('/push/label'), '/push/label');
  assert.equal(t('/push/single'), '/push/single');
  assert.equal(t('/push/sync/alice'), '/push/sync/{target}');
  assert.equal(t('/callbacks/storage/retry'), '/callbacks/storage/retry');
  assert.equal(t('/callback/storage/retry'), '/callback/storage/retry');
  assert.equal(parseEndpoint('https://a41.chat.agora.io/61117440/991380/push/task').appkey, '61117440#991380');
});

test('endpoint: paths relative to the org/app base (SDK logs) and unknown sub-paths', () => {
  assert.deepEqual(parseEndpoint('/users/bob/joined_chatgroups'), { host: null, appkey: null, endpoint: '/users/{username}/joined_chatgroups', path: '/users/bob/joined_chatgroups' });
  assert.equal(parseEndpoint('/acme/chat/chatgroups/123/newthing/456').endpoint, '/chatgroups/{group_id}/newthing/{id}');
  assert.equal(parseEndpoint('/acme/chat/moderation/records/0b3f4e30-1111-2222-3333-444455556666').endpoint, '/moderation/records/{id}');
  assert.equal(parseEndpoint('http://rs.easemob.com/easemob/server.json?app_key=acme#chat').endpoint, '/easemob/server.json');
});

test('isEasemobHost: built-in suffixes and configured hosts', () => {
  for (const h of ['a1.easemob.com', 'A31.EASEMOB.COM', 'a1-sgp.easemob.com', 'a1.easecdn.com', 'a41.chat.agora.io', 'a1.easemob.com:443', 'easemob.com']) assert.ok(isEasemobHost(h), h);
  for (const h of ['easemob.com.evil.net', 'notesemob.com', 'xeasemob.com', 'agora.io', 'api.agora.io', 'api.stripe.com', '']) assert.ok(!isEasemobHost(h), h);
  assert.ok(isEasemobHost('im.vip.example.com', ['im.vip.example.com']));
  assert.ok(!isEasemobHost('x.im.vip.example.com', ['im.vip.example.com']));
  assert.ok(isEasemobHost('a.im.vip.example.com', ['*.im.vip.example.com']));
  assert.ok(!isEasemobHost('im.vip.example.com', ['*.im.vip.example.com']));
});

test('looksLikeEasemobPath: /{org}/{app}/<resource> only', () => {
  for (const p of ['/acme/chat/users', '/1102190223222824/demo/chatgroups/1', '/acme/chat/token', '/app-id/8a7c/messages/users', '/acme/chat/messages?x=1', 'https://h/acme/chat/chatrooms']) assert.ok(looksLikeEasemobPath(p), p);
  for (const p of ['/users/bob', '/api/v1/users/3', '/v2/shop/users', '/acme/chat/orders', '/chatgroups/123/users', '/', '/acme/chat']) assert.ok(!looksLikeEasemobPath(p), p);
});
