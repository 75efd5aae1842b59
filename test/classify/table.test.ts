import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRules, RuleEngine } from '../../src/classify/index.js';
import { ev, type EvInput } from './helpers.js';

const engine = new RuleEngine(loadRules({ builtin: true }));

const U = '/users/{username}';
const G = '/chatgroups/{group_id}';
const GU = '/chatgroups/{group_id}/users/{username}';
const GUS = '/chatgroups/{group_id}/users';

/** [ref, event] — at least two realistic variants per row of the table. */
const CASES: [string, EvInput][] = [
  // S rows: a status with no body, or an error code no E row knows.
  ['S400', { status: 400 }],
  ['S400', { status: 400, error: 'illegal_argument', description: 'nickname contains illegal characters', method: 'POST', endpoint: '/messages/users' }],
  ['S400', { status: 400, error: 'brand_new_error', description: 'whatever' }],
  ['S401', { status: 401, method: 'GET', endpoint: U }],
  ['S401', { status: 401, error: 'unauthorized', description: 'signature mismatch' }],
  ['S403', { status: 403 }],
  ['S403', { status: 403, error: 'forbidden_op', description: 'group 211302856474625 is disabled' }],
  ['S404', { status: 404, method: 'GET', endpoint: '/chatgroups' }],
  ['S404', { status: 404, error: 'resource_not_found', description: "label vip doesn't exist!" }],
  ['S405', { status: 405, method: 'PATCH', endpoint: U }],
  ['S405', { status: 405, error: 'method_not_allowed', description: 'Method Not Allowed' }],
  ['S408', { status: 408 }],
  ['S408', { status: 408, method: 'POST', endpoint: '/messages/users' }],
  ['S413', { status: 413, method: 'POST', endpoint: '/messages/users' }],
  ['S413', { status: 413, error: 'payload_too_large', description: 'body exceeds 5120 bytes' }],
  ['S415', { status: 415 }],
  ['S415', { status: 415, error: 'unsupported_media', description: 'Content type text/plain not supported' }],
  ['S429', { status: 429 }],
  ['S429', { status: 429, error: 'too_many_requests', description: 'Too Many Requests' }],
  ['S500', { status: 500 }],
  ['S500', { status: 500, error: 'INTERNAL_ERROR', description: 'database timeout' }],
  ['S501', { status: 501 }],
  ['S501', { status: 501, method: 'PROPFIND', endpoint: '/users' }],
  ['S502', { status: 502, host: 'a41.chat.agora.io' }],
  ['S502', { status: 502, description: '<html><head><title>502 Bad Gateway</title></head></html>' }],
  ['S503', { status: 503 }],
  ['S503', { status: 503, error: 'service_unavailable', description: 'Service Unavailable' }],
  ['S504', { status: 504 }],
  ['S504', { status: 504, description: '<html><body><h1>504 Gateway Time-out</h1></body></html>' }],
  // E rows.
  ['E01', { status: 400, error: 'invalid_grant', description: 'invalid username or password', method: 'POST', endpoint: '/token' }],
  ['E01', { status: 400, error: 'invalid_grant', description: 'Invalid username or password.' }],
  ['E02', { status: 400, error: 'invalid_grant', description: 'client_id does not match', endpoint: '/token' }],
  ['E02', { status: 400, error: 'invalid_grant', description: 'client_secret does not match' }],
  ['E03', { status: 400, error: 'json_parse', description: "Unexpected character ('=' (code 61)): was expecting a colon to separate field name and value\n at [Source: java.io.BufferedInputStream@170e3f35; line: 1, column: 23]" }],
  ['E03', { status: 400, error: 'json_parse', description: 'Unexpected end-of-input: expected close marker for OBJECT (from [Source: java.io.BufferedInputStream@1b2c3d4e; line: 1, column: 0])' }],
  ['E04', { status: 400, error: 'illegal_argument', description: 'Entity user requires a property named username', method: 'POST', endpoint: '/users' }],
  ['E04', { status: 400, error: 'illegal_argument', description: "Entity 'user' requires a property named username." }],
  ['E05', { status: 400, error: 'illegal_argument', description: 'password or pin must provided', endpoint: '/users' }],
  ['E05', { status: 400, error: 'illegal_argument', description: 'Password or pin must be provided.' }],
  ['E06', { status: 400, error: 'illegal_argument', description: 'newpassword is required', method: 'PUT', endpoint: '/users/{username}/password' }],
  ['E06', { status: 400, error: 'illegal_argument', description: ' NewPassword is required ' }],
  ['E07', { status: 400, error: 'illegal_argument', description: 'oldPassword is required', method: 'PUT', endpoint: '/users/{username}/password' }],
  ['E07', { status: 400, error: 'illegal_argument', description: 'oldpassword is required.' }],
  ['E08', { status: 400, error: 'illegal_argument', description: "group member username1 doesn't exist", endpoint: GUS }],
  ['E08', { status: 400, error: 'illegal_argument', description: 'group member u_20931 doesn’t exist' }],
  ['E09', { status: 400, error: 'illegal_argument', description: 'this is an invalid request.' }],
  ['E09', { status: 400, error: 'illegal_argument', description: 'This is an invalid request.', method: 'POST', endpoint: '/messages/users' }],
  ['E10', { status: 400, error: 'illegal_argument', description: "from can't be empty", endpoint: '/messages/users' }],
  ['E10', { status: 400, error: 'illegal_argument', description: "'From' can't be empty." }],
  ['E11', { status: 400, error: 'illegal_argument', description: "target_type can only be 'users' or 'chatgroups' or 'chatrooms'" }],
  ['E11', { status: 400, error: 'illegal_argument', description: "'Target_type' can only be 'users', 'chatgroups', or 'chatrooms'." }],
  ['E12', { status: 400, error: 'illegal_argument', description: 'username is not legal', endpoint: '/users' }],
  ['E12', { status: 400, error: 'illegal_argument', description: 'username [Zhang San] is not legal' }],
  ['E12', { status: 400, error: 'illegal_argument', description: 'wang.li@corp is not legal.' }],
  ['E13', { status: 400, error: 'illegal_argument', description: 'This chatmessage request is not supported', endpoint: '/chatmessages/{time}' }],
  ['E13', { status: 400, error: 'illegal_argument', description: 'this `chatmessage` request is not supported.' }],
  ['E14', { status: 400, error: 'illegal_argument', description: 'illegal arguments: appkey: easemob-demo#chatdemoui, time: 2018020918, maybe chat message history is expired or unstored' }],
  ['E14', { status: 400, error: 'illegal_argument', description: 'Illegal arguments: appkey: acme-im#prod, time: 2026112703, maybe chat message history is expired or unstored.', method: 'GET', endpoint: '/chatmessages/{time}' }],
  ['E15', { status: 400, error: 'invalid_parameter', description: 'some of [groupid] are not valid fields', method: 'PUT', endpoint: G }],
  ['E15', { status: 400, error: 'invalid_parameter', description: 'Some of [owner] are not valid fields.' }],
  ['E16', { status: 400, error: 'required_property_not_found', description: 'Entity user requires a property named username', method: 'PUT', endpoint: '/users/{username}/password' }],
  ['E16', { status: 400, error: 'required_property_not_found', description: "Entity 'user' requires a property named username." }],
  ['E17', { status: 400, error: 'duplicate_unique_property_exists', description: 'Application null Entity user requires that property named username be unique, value of hxtest1 exists', endpoint: '/users' }],
  ['E17', { status: 400, error: 'duplicate_unique_property_exists', description: 'Application null Entity user requires that property named username be unique, value of u_77812 exists.' }],
  ['E18', { status: 401, error: 'unauthorized', description: 'registration is not open, please contact the app admin', method: 'POST', endpoint: '/users' }],
  ['E18', { status: 401, error: 'unauthorized', description: "Open registration doesn't allow, so register user need token," }],
  ['E19', { status: 401, error: 'unauthorized', description: 'Unable to authenticate due to expired access token', method: 'POST', endpoint: '/messages/users' }],
  ['E19', { status: 401, error: 'unauthorized', description: '  unable to authenticate due to expired access token.\n' }],
  ['E20', { status: 401, error: 'auth_bad_access_token', description: 'Unable to authenticate due to corrupt access token' }],
  ['E20', { status: 401, error: 'auth_bad_access_token', description: 'Unable to authenticate due to corrupt access token.', method: 'GET', endpoint: U }],
  ['E21', { status: 401, error: 'auth_bad_access_token', description: 'Unable to authenticate' }],
  ['E21', { status: 401, error: 'auth_bad_access_token', description: 'Unable to authenticate.\n', method: 'DELETE', endpoint: GU }],
  ['E22', { status: 403, error: 'forbidden_op', description: 'can not join this group, reason:user: hxtest1 already in group: 40659491815425\n', method: 'POST', endpoint: GU }],
  ['E22', { status: 403, error: 'forbidden_op', description: 'Can not join this group, reason: user: alice already in group: 211302856474625.' }],
  ['E23', { status: 403, error: 'forbidden_op', description: 'users [hxtest100] are not members of this group!', method: 'DELETE', endpoint: GU }],
  ['E23', { status: 403, error: 'forbidden_op', description: 'Users [a1, b2] are not members of this group!' }],
  ['E24', { status: 403, error: 'forbidden_op', description: "user: username1 doesn't exist in group: 40659491815425", method: 'PUT', endpoint: G }],
  ['E24', { status: 403, error: 'forbidden_op', description: "User: carol doesn't exist in group: 211302856474625." }],
  ['E25', { status: 403, error: 'forbidden_op', description: 'new owner and old owner are the same', method: 'PUT', endpoint: G }],
  ['E25', { status: 403, error: 'forbidden_op', description: 'New owner and old owner are the same.' }],
  ['E26', { status: 403, error: 'forbidden_op', description: 'forbidden operation on group owner!', endpoint: '/chatgroups/{group_id}/blocks/users/{username}' }],
  ['E26', { status: 403, error: 'forbidden_op', description: 'Forbidden operation on group owner!' }],
  ['E27', { status: 403, error: 'forbidden_op', description: 'can not join this group, reason:user %s has joined too many groups/chatroom!', endpoint: GU }],
  ['E27', { status: 403, error: 'forbidden_op', description: 'Can not join this group, reason：user: dave has joined too many groups/chatroom!' }],
  ['E27', { status: 403, error: 'forbidden_op', description: 'can not join this group, reason:user erin has joined too many chatrooms!' }],
  ['E28', { status: 403, error: 'forbidden_op', description: 'this appKey has create too many groups/chatrooms!', method: 'POST', endpoint: '/chatgroups' }],
  ['E28', { status: 403, error: 'forbidden_op', description: 'This appKey has created too many groups/chatrooms!' }],
  ['E29', { status: 404, error: 'organization_application_not_found', description: 'Could not find application for hx/hxdeo2 from URI: hx/hxdeo2/token', endpoint: '/token' }],
  ['E29', { status: 404, error: 'organization_application_not_found', description: 'Could not find application for acme-im/prod from URI: acme-im/prod/users' }],
  ['E30', { status: 404, error: 'service_resource_not_found', description: 'Service resource not found' }],
  ['E30', { status: 404, error: 'service_resource_not_found', description: 'Service resource not found.', method: 'GET', endpoint: G }],
  ['E31', { status: 404, error: 'service_resource_not_found', description: 'Service resource not found', method: 'GET', endpoint: U }],
  ['E31', { status: 404, error: 'service_resource_not_found', description: ' service resource not found.\n', method: 'get', endpoint: U }],
  ['E32', { status: 404, error: 'service_resource_not_found', description: 'Service resource not found', method: 'DELETE', endpoint: U }],
  ['E32', { status: 404, error: 'Service_Resource_Not_Found', description: 'SERVICE RESOURCE NOT FOUND', method: 'DELETE', endpoint: U }],
  ['E33', { status: 404, error: 'storage_object_not_found', description: 'Failed to find chat message history download url for appkey: hx#hxdemo2, time: 2018020912', endpoint: '/chatmessages/{time}' }],
  ['E33', { status: 404, error: 'storage_object_not_found', description: 'Failed to find chat message history download URL for appkey: acme-im#prod, time: 2026112703.' }],
  ['E34', { status: 413, error: 'Request Entity Too Large', description: 'Request Entity Too Large', method: 'POST', endpoint: '/messages/users' }],
  ['E34', { status: 413, description: '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>' }],
  ['E34', { status: 413, error: 'request entity too large' }],
  ['E35', { status: 415, error: 'web_application', description: 'Unsupported Media Type', method: 'POST', endpoint: '/users' }],
  ['E35', { status: 415, error: 'web_application', description: 'HTTP 415 Unsupported Media Type' }],
  ['E36', { status: 429, error: 'resource_limited', description: 'You have exceeded the limit of the Free edition. Please upgrade to higher edition.', endpoint: '/users' }],
  ['E36', { status: 429, error: 'resource_limited', description: 'You have exceeded the limit of the community edition,Please upgrade to the enterprise edition' }],
  ['E37', { status: 429, error: 'reach_limit', description: 'This request has reached api limit', method: 'POST', endpoint: '/messages/users' }],
  ['E37', { status: 429, error: 'reach_limit', description: 'This request has reached API limit.' }],
  ['E38', { status: 500, error: 'no_full_text_index', description: "Entity 'user' with property named 'username' is not full text indexed. You cannot use the 'contains' operand on this field", endpoint: '/users' }],
  ['E38', { status: 500, error: 'no_full_text_index', description: "Entity ‘user’ with property named ‘username’ is not full text indexed. You cannot use the ‘contains’ operand on this field" }],
  ['E39', { status: 500, error: 'unsupported_service_operation', description: 'Service operation not supported', method: 'PUT', endpoint: '/users' }],
  ['E39', { status: 500, error: 'unsupported_service_operation', description: 'Service operation not supported.' }],
  ['E40', { status: 500, error: 'web_application', description: 'javax.ws.rs.WebApplicationException', method: 'GET', endpoint: '/chatgroupz' }],
  ['E40', { status: 500, error: 'web_application', description: 'javax.ws.rs.WebApplicationException: HTTP 404 Not Found' }],
  // No response at all.
  ['T01', { noResponse: { kind: 'timeout' }, method: 'POST', endpoint: '/messages/users' }],
  ['T01', { noResponse: { kind: 'reset', attempt: 3, gaveUp: true } }],
  ['T01', { noResponse: { kind: 'dns' }, host: 'a41.chat.agora.io' }],
  // Status missing (SDK line logging only the body): classified by error code + description.
  ['E19', { status: null, error: 'unauthorized', description: 'Unable to authenticate due to expired access token' }],
  ['E21', { status: null, error: 'auth_bad_access_token', description: 'Unable to authenticate' }],
  ['E35', { status: null, error: 'web_application', description: 'Unsupported Media Type' }],
  ['E40', { status: null, error: 'web_application', description: 'javax.ws.rs.WebApplicationException' }],
  ['E03', { status: null, error: 'json_parse', description: 'Unrecognized token \'abc\': was expecting (\'true\', \'false\' or \'null\')' }],
];

test('every row of the table has at least two cases', () => {
  const per = new Map<string, number>();
  for (const [ref] of CASES) per.set(ref, (per.get(ref) ?? 0) + 1);
  const refs = [
    ...['S400', 'S401', 'S403', 'S404', 'S405', 'S408', 'S413', 'S415', 'S429', 'S500', 'S501', 'S502', 'S503', 'S504'],
    ...Array.from({ length: 40 }, (_, i) => `E${String(i + 1).padStart(2, '0')}`),
    'T01',
  ];
  assert.equal(refs.length, 55);
  for (const r of refs) assert.ok((per.get(r) ?? 0) >= 2, `${r} has ${per.get(r) ?? 0} case(s)`);
  assert.deepEqual(new Set(engine.rules.filter((r) => !r.ref?.startsWith('X')).map((r) => r.ref)), new Set(refs));
});

for (const [i, [ref, input]] of CASES.entries()) {
  const label = `${ref} #${i}: ${input.status ?? (input.noResponse ? 'no response' : 'no status')} ${input.error ?? ''} ${JSON.stringify(input.description ?? '').slice(0, 60)} ${input.method ?? ''} ${input.endpoint ?? ''}`;
  test(`classifies ${label}`, () => {
    const cls = engine.classify(ev(input));
    assert.equal(cls.ref, ref);
    assert.ok(cls.rule, 'a rule id');
  });
}

/** Look-alike rows: each group has cases that would catch a swap of any two of its rows. */
test('E30/E31/E32: method and endpoint decide, unknown context is E30', () => {
  const base = { status: 404, error: 'service_resource_not_found', description: 'Service resource not found' };
  const want: [string | null, string | null, string][] = [
    ['GET', U, 'E31'],
    ['DELETE', U, 'E32'],
    ['POST', U, 'E30'],
    ['PUT', U, 'E30'],
    ['GET', G, 'E30'],
    ['DELETE', G, 'E30'],
    ['POST', G, 'E30'],
    ['GET', GU, 'E30'],
    ['DELETE', '/users', 'E30'],
    [null, U, 'E30'],
    ['GET', null, 'E30'],
    ['DELETE', null, 'E30'],
    [null, null, 'E30'],
  ];
  for (const [method, endpoint, ref] of want) {
    assert.equal(engine.classify(ev({ ...base, method, endpoint })).ref, ref, `${method} ${endpoint}`);
  }
  // Without status (body-only SDK line) the same split holds.
  assert.equal(engine.classify(ev({ ...base, status: null, method: 'DELETE', endpoint: U })).ref, 'E32');
  assert.equal(engine.classify(ev({ ...base, status: null, method: 'GET', endpoint: U })).ref, 'E31');
  assert.equal(engine.classify(ev({ ...base, status: null })).ref, 'E30');
  // A different description on the same 404 error code is not any of them.
  assert.equal(engine.classify(ev({ ...base, description: 'no such resource: 123', method: 'GET', endpoint: U })).ref, 'S404');
});

test('E04/E16: same description, the error code decides', () => {
  const d = 'Entity user requires a property named username';
  assert.equal(engine.classify(ev({ status: 400, error: 'illegal_argument', description: d })).ref, 'E04');
  assert.equal(engine.classify(ev({ status: 400, error: 'required_property_not_found', description: d })).ref, 'E16');
  assert.equal(engine.classify(ev({ status: 400, error: 'ILLEGAL_ARGUMENT', description: d.toUpperCase() })).ref, 'E04');
  assert.equal(engine.classify(ev({ status: null, error: 'required_property_not_found', description: d })).ref, 'E16');
  assert.equal(engine.classify(ev({ status: 400, description: d })).ref, 'S400', 'no error code, no call: neither row');
  // No error code (Java SDK 1.x): the call decides.
  assert.equal(engine.classify(ev({ status: 400, description: d, method: 'POST', endpoint: '/users' })).ref, 'E04');
  assert.equal(engine.classify(ev({ status: 400, description: d, method: 'PUT', endpoint: '/users/{username}/password' })).ref, 'E16');
  // With an error code, the code wins over the call.
  assert.equal(engine.classify(ev({ status: 400, error: 'illegal_argument', description: d, endpoint: '/users/{username}/password' })).ref, 'E04');
});

test('E22/E27: same prefix, the tail decides', () => {
  const e = (d: string) => engine.classify(ev({ status: 403, error: 'forbidden_op', description: d })).ref;
  assert.equal(e('can not join this group, reason:user: hxtest1 already in group: 40659491815425\n'), 'E22');
  assert.equal(e('can not join this group, reason:user: hxtest1 already in group: 40659491815425\\n'), 'E22');
  assert.equal(e('can not join this group, reason:user hxtest1 has joined too many groups/chatroom!'), 'E27');
  assert.equal(e('can not join this group, reason:user: hxtest1 has joined too many groups/chatroom!'), 'E27');
  assert.equal(e('can not join this group, reason:user %s has joined too many groups/chatroom!'), 'E27');
  assert.equal(e('can not join this group, reason:user: hxtest1 is blocked'), 'S403', 'other tails: neither');
});

test('E18/E19 (unauthorized) and E20/E21 (auth_bad_access_token): the description decides', () => {
  const c = (error: string, d: string) => engine.classify(ev({ status: 401, error, description: d })).ref;
  assert.equal(c('unauthorized', 'registration is not open, please contact the app admin'), 'E18');
  assert.equal(c('unauthorized', 'Unable to authenticate due to expired access token'), 'E19');
  assert.equal(c('auth_bad_access_token', 'Unable to authenticate due to corrupt access token'), 'E20');
  assert.equal(c('auth_bad_access_token', 'Unable to authenticate'), 'E21');
  // E21 must not swallow the longer descriptions, whatever the error code.
  assert.equal(c('auth_bad_access_token', 'Unable to authenticate due to expired access token'), 'S401');
  assert.equal(c('auth_bad_access_token', 'Unable to authenticate due to something new'), 'S401');
  // Descriptions under the other row's error code do not cross over.
  assert.equal(c('unauthorized', 'Unable to authenticate due to corrupt access token'), 'S401');
  assert.equal(c('unauthorized', 'Unable to authenticate'), 'S401');
  assert.equal(c('auth_bad_access_token', 'registration is not open, please contact the app admin'), 'S401');
});

test('E35/E40: same error code, the status (or description) decides', () => {
  assert.equal(engine.classify(ev({ status: 415, error: 'web_application', description: 'Unsupported Media Type' })).ref, 'E35');
  assert.equal(engine.classify(ev({ status: 500, error: 'web_application', description: 'javax.ws.rs.WebApplicationException' })).ref, 'E40');
  assert.equal(engine.classify(ev({ status: 500, error: 'web_application', description: 'Unsupported Media Type' })).ref, 'S500');
  assert.equal(engine.classify(ev({ status: 415, error: 'web_application', description: 'javax.ws.rs.WebApplicationException' })).ref, 'S415');
});

test('E34/S413: a recognisable "Request Entity Too Large" body or not', () => {
  assert.equal(engine.classify(ev({ status: 413, error: 'Request Entity Too Large', description: 'Request Entity Too Large' })).ref, 'E34');
  assert.equal(engine.classify(ev({ status: 413, description: '<html><title>413 Request Entity Too Large</title></html>' })).ref, 'E34');
  assert.equal(engine.classify(ev({ status: 413 })).ref, 'S413');
  assert.equal(engine.classify(ev({ status: 413, error: 'payload_too_large', description: 'body exceeds 5120 bytes' })).ref, 'S413');
  // 3.x documents its own 413 body for uploads.
  assert.equal(engine.classify(ev({ status: 413, error: 'file exceeding maximum limit', description: 'the file size exceeds the maximum limit.' })).ref, 'X187');
  assert.equal(engine.classify(ev({ status: 400, error: 'Request Entity Too Large' })).ref, 'S400', 'status decides');
});

test('E36/E37/S429: the error code decides (even against the other row\'s text), anything else is S429', () => {
  const c = (error: string | null, d: string | null) => engine.classify(ev({ status: 429, error, description: d })).ref;
  assert.equal(c('resource_limited', 'You have exceeded the limit of the Free edition. Please upgrade to higher edition.'), 'E36');
  assert.equal(c('reach_limit', 'This request has reached api limit'), 'E37');
  assert.equal(c('reach_limit', 'You have exceeded the limit of the Free edition. Please upgrade to higher edition.'), 'E37');
  assert.equal(c('resource_limited', 'This request has reached api limit'), 'E36');
  assert.equal(c(null, null), 'S429');
  assert.equal(c('rate_limited', 'slow down'), 'S429');
});

test('every bundled rule has the fixed category for its row', () => {
  const CATEGORY: Record<string, string[]> = {
    auth: ['E01', 'E02', 'E07', 'E18', 'E19', 'E20', 'E21', 'S401'],
    config: ['E29'],
    request: ['E03', 'E09', 'E35', 'E39', 'E40', 'S400', 'S404', 'S405', 'S415', 'S501'],
    validation: ['E04', 'E05', 'E06', 'E10', 'E11', 'E12', 'E13', 'E15', 'E38'],
    not_found: ['E08', 'E14', 'E16', 'E30', 'E31', 'E32', 'E33'],
    conflict: ['E17', 'E22', 'E23', 'E24', 'E25', 'E26', 'S403'],
    quota: ['E27', 'E28', 'E36'],
    rate_limit: ['E37', 'S429'],
    payload: ['E34', 'S413'],
    server: ['S500', 'S502', 'S503'],
    timeout: ['S408', 'S504', 'T01'],
  };
  const expected = new Map<string, string>();
  for (const [cat, refs] of Object.entries(CATEGORY)) for (const r of refs) expected.set(r, cat);
  assert.equal(expected.size, 55);
  const legacy = engine.rules.filter((r) => !r.ref?.startsWith('X'));
  assert.equal(legacy.length, 55);
  for (const r of legacy) {
    assert.equal(r.category, expected.get(r.ref!), `${r.ref} (${r.id})`);
    assert.equal(r.classification.category, r.category);
  }
});

test('every bundled rule is complete: id pattern, hint, hint_zh, why, examples', () => {
  const ids = new Set<string>();
  for (const r of engine.rules) {
    assert.match(r.id, /^easemob\.[a-z_]+\.[a-z0-9-]+$/);
    assert.ok(r.id.startsWith(`easemob.${r.category}.`), r.id);
    assert.ok(!ids.has(r.id));
    ids.add(r.id);
    assert.ok(r.classification.hint.length > 80, `${r.id} hint is concrete`);
    assert.ok(r.classification.hintZh.length > 0, `${r.id} hint_zh`);
    assert.ok(r.why && r.why.length > 10, `${r.id} why`);
    assert.ok(r.examples.length >= 1, `${r.id} examples`);
  }
});

test('severity intent: critical for app-wide auth/config/plan failures, info for expected outcomes', () => {
  const sev = (ref: string) => engine.rules.find((r) => r.ref === ref)!.severity;
  for (const r of ['E02', 'E18', 'E19', 'E20', 'E21', 'S401', 'E29', 'E28', 'E36']) assert.equal(sev(r), 'critical', r);
  for (const r of ['S500', 'S502', 'S503', 'S504', 'S408', 'T01', 'E37', 'S429', 'E34', 'S413', 'E03']) assert.equal(sev(r), 'error', r);
  for (const r of ['E04', 'E05', 'E06', 'E10', 'E11', 'E12', 'E13', 'E15', 'E38']) assert.equal(sev(r), 'warning', r);
  for (const r of ['E17', 'E22', 'E31', 'E32']) assert.equal(sev(r), 'info', r);
});

test('unknown status → ref null, category unknown, severity warning', () => {
  for (const status of [422, 418]) {
    const cls = engine.classify(ev({ status, error: 'concurrent_operation_error', description: 'The message has been edited by another.' }));
    assert.equal(cls.ref, null);
    assert.equal(cls.rule, null);
    assert.equal(cls.category, 'unknown');
    assert.equal(cls.severity, 'warning');
    assert.equal(cls.title, `HTTP ${status} from Easemob`);
  }
  // 3.x documents this 409 (X184); another 409 body is still unknown.
  assert.equal(engine.classify(ev({ status: 409, error: 'concurrent_operation_error', description: 'The message has been edited by another.' })).ref, 'X184');
  // A known E-row body under a status that is not its row's and not in the table.
  assert.equal(engine.classify(ev({ status: 409, error: 'forbidden_op', description: 'forbidden operation on group owner!' })).ref, null);
  const noStatus = engine.classify(ev({ status: null, error: 'label_error', description: 'label not exists' }));
  assert.equal(noStatus.ref, null);
  assert.equal(noStatus.title, 'Unrecognised Easemob error');
  assert.equal(engine.classify(ev({})).category, 'unknown');
});

test('a table status with an unknown error code falls back to its S row', () => {
  assert.equal(engine.classify(ev({ status: 400, error: 'param_illegal', description: 'x' })).ref, 'S400');
  assert.equal(engine.classify(ev({ status: 403, error: 'group_error', description: 'label not open.' })).ref, 'S403');
  assert.equal(engine.classify(ev({ status: 404, error: 'entity_not_found', description: 'Label null not found' })).ref, 'S404');
  assert.equal(engine.classify(ev({ status: 500, error: 'LabelInternalErrorException', description: 'An unknown error occurred' })).ref, 'S500');
  // The same codes with a 3.x row's text get that row; a code that names one row keeps a cut text on it.
  assert.equal(engine.classify(ev({ status: 403, error: 'group_error', description: 'thread not open.' })).ref, 'X150');
  assert.equal(engine.classify(ev({ status: 404, error: 'entity_not_found', description: 'User null not found' })).ref, 'X161');
  assert.equal(engine.classify(ev({ status: 500, error: 'RewriteMessageInternalErrorException', description: 'An unknown error occurred' })).ref, 'X193');
});

test('classify returns the rule\'s shared, frozen classification with pass-through fields', () => {
  const a = engine.classify(ev({ noResponse: { kind: 'timeout' } }));
  const b = engine.classify(ev({ noResponse: { kind: 'refused' } }));
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
  assert.equal(a.retryable, true);
  assert.equal(a.resolveAfterMs, 10 * 60_000);
  assert.deepEqual(a.escalate, { threshold: 20, windowMs: 5 * 60_000, to: 'critical' });
  assert.deepEqual(a.groupBy, ['ref', 'appkey', 'host']);
  const e37 = engine.classify(ev({ status: 429, error: 'reach_limit', description: 'This request has reached api limit' }));
  assert.deepEqual(e37.escalate, { spikeFactor: 5 });
  assert.deepEqual(e37.groupBy, ['ref', 'endpoint', 'appkey']);
  const e19 = engine.classify(ev({ status: 401, error: 'unauthorized', description: 'Unable to authenticate due to expired access token' }));
  assert.equal(e19.notifyResolved, true);
  assert.match(e19.hint, /POST \/\{org\}\/\{app\}\/token/);
  assert.equal(e19.hintZh, 'token 过期或未传 token。');
});

test('an error code that names one row keeps a reworded or truncated description on that row', () => {
  const c = (status: number, error: string, description: string) => engine.classify(ev({ status, error, description })).ref;
  assert.equal(c(429, 'reach_limit', 'This request has reached api li'), 'E37');
  assert.equal(c(429, 'resource_limited', 'exceed the limit of free'), 'E36');
  assert.equal(c(400, 'duplicate_unique_property_exists', 'Application null Entity user requires that prop'), 'E17');
  assert.equal(c(404, 'organization_application_not_found', 'Could not find application for x/'), 'E29');
  assert.equal(c(404, 'storage_object_not_found', 'Failed to find chat message history'), 'E33');
  assert.equal(c(500, 'no_full_text_index', 'Entity user with property named username'), 'E38');
  assert.equal(c(500, 'unsupported_service_operation', 'not supported'), 'E39');
  // Shared codes still need their description: unauthorized is E18 or E19.
  assert.equal(c(401, 'unauthorized', 'Unable to authenticate due to exp'), 'S401');
});

test('a body cut before its description (Guzzle\'s 120-byte summary) stays on the row its code and call name', () => {
  const c = (status: number, error: string, method: string, endpoint: string) =>
    engine.classify(ev({ status, error, description: null, method, endpoint })).ref;
  assert.equal(c(404, 'service_resource_not_found', 'DELETE', '/chatgroups/{group_id}'), 'E30');
  assert.equal(c(404, 'service_resource_not_found', 'GET', '/users/{username}'), 'E31');
  assert.equal(c(404, 'service_resource_not_found', 'DELETE', '/users/{username}'), 'E32');
  assert.equal(c(415, 'web_application', 'POST', '/users'), 'E35');
  assert.equal(c(400, 'required_property_not_found', 'PUT', '/users/{username}/password'), 'E16');
  assert.equal(c(500, 'web_application', 'GET', '/chatgroups/{group_id}/announcements'), 'E40');
  assert.equal(c(400, 'invalid_parameter', 'PUT', '/chatgroups/{group_id}'), 'E15');
  assert.equal(c(400, 'invalid_parameter', 'POST', '/chatgroups'), 'S400');
  // A description that names another row still wins; without the call, a shared code stays on its status row.
  assert.equal(engine.classify(ev({ status: 404, error: 'service_resource_not_found', description: 'do not find this group: 123' })).ref, 'X181');
  assert.equal(c(400, 'required_property_not_found', 'POST', '/users'), 'S400');
});

test('E22/E27 survive a description cut short by the logger', () => {
  const e = (d: string) => engine.classify(ev({ status: 403, error: 'forbidden_op', description: d })).ref;
  assert.equal(e('can not join this group, reason:user alice has joined too ma'), 'E27');
  assert.equal(e('can not join this group, reason:user: alice already in gr'), 'E22');
  assert.equal(e('can not join this group, reason:user'), 'S403', 'too short to tell them apart');
});
