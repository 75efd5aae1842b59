import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** systemd credential names: no path tricks (LoadCredential= names are plain file names). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * A secret passed by systemd's `LoadCredential=name:/path` (readable only by the service, in
 * `$CREDENTIALS_DIRECTORY`), without its trailing newline. Undefined when not running under systemd,
 * when the credential was not configured, or when it is empty.
 */
export function readCredential(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.CREDENTIALS_DIRECTORY;
  if (!dir || !NAME.test(name)) return undefined;
  let text: string;
  try {
    text = readFileSync(join(dir, name), 'utf8');
  } catch {
    return undefined;
  }
  const v = text.replace(/\r?\n$/, '');
  return v === '' ? undefined : v;
}
