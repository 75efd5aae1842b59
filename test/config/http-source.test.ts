import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/load.js';

const TOKEN = 'a-real-looking-token-0123456789';

test('an http source token written literally is refused, naming file, line and key; ${ENV} is taken', () => {
  const text = `sources:\n  - path: /var/log/app/*.log\n  - http:\n      listen: "0.0.0.0:9880"\n      token: ${TOKEN}\n`;
  assert.throws(
    () => parseConfig(text, '/etc/apiwatch/apiwatch.yaml', {}),
    (e: unknown) =>
      e instanceof ConfigError &&
      /^\/etc\/apiwatch\/apiwatch\.yaml:5: sources\[1\]\.http\.token: a secret must not be written in the config file: use \$\{SOME_ENV\} or \$\{CREDENTIAL:name\}/.test(e.message) &&
      !e.message.includes(TOKEN),
  );
  const cfg = parseConfig(text.replace(TOKEN, '${INGEST_TOKEN}'), '/x.yaml', { INGEST_TOKEN: TOKEN });
  assert.equal(cfg.httpSources[0].token, TOKEN);
  assert.equal(cfg.httpSources[0].multiline_timeout, 5000);
  // Not loopback and no token: refused with what to set.
  assert.throws(() => parseConfig('sources:\n  - http:\n      listen: "0.0.0.0:9880"\n', '/x.yaml', {}), /sources\[0\]\.http\.token: a bearer token is required/);
});
