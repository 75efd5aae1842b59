import { readFileSync } from 'node:fs';

/**
 * `apiwatch incidents | head`: once the reader closes the pipe, the next write fails with EPIPE.
 * Node ignores SIGPIPE, so without this the error surfaces as a stack trace. Like grep killed by
 * SIGPIPE, stop at once and say nothing; exit 0, since the output that was wanted was delivered.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** The version in package.json (dist/cli/ and src/cli/ are both two levels below it). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
