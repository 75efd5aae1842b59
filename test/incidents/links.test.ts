import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incidentUrl, incidentsUrl } from '../../src/incidents/links.js';
import { buildSlackMessage } from '../../src/notify/slack/message.js';
import { IncidentStore } from '../../src/incidents/store.js';
import { openDatabase } from '../../src/store/db.js';
import { tempDir } from '../helpers/tmp.js';
import { ev } from '../notify/helpers.js';
import { join } from 'node:path';

test('incident links: one builder, base path kept, trailing slashes folded, none without public_url', () => {
  assert.equal(incidentUrl('https://ops.example.com/apiwatch/', 42), 'https://ops.example.com/apiwatch/incidents/42');
  assert.equal(incidentUrl('https://ops.example.com', 7), 'https://ops.example.com/incidents/7');
  assert.equal(incidentUrl(undefined, 7), null);
  assert.equal(incidentsUrl('https://ops.example.com', { state: 'firing', ref: 'E37' }), 'https://ops.example.com/incidents?state=firing&ref=E37');
});

test('a Slack message links to the incident page only when http.public_url is set', () => {
  const db = openDatabase(join(tempDir(), 'a.db'));
  const store = new IncidentStore(db);
  const now = Date.now();
  db.transaction(() => store.record([ev(now)], now))();
  const incident = store.get(1)!;
  const withUrl = JSON.stringify(buildSlackMessage({ kind: 'firing', incident, newEvents: 1, at: now }, { publicUrl: 'https://ops.example.com/' }));
  assert.match(withUrl, /<https:\/\/ops\.example\.com\/incidents\/1\|Open incident #1>/);
  const without = JSON.stringify(buildSlackMessage({ kind: 'firing', incident, newEvents: 1, at: now }));
  assert.doesNotMatch(without, /https:\/\/ops/);
  db.close();
});
