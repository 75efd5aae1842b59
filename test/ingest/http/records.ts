// One Vector-shaped record (file source with offset_key) and the Java SDK exception the HTTP source
// tests split across shipper batches: a WARN header, the exception, its description, a frame, the next record.
export const vectorRecord = (host: string, message: string, offset: number): string =>
  JSON.stringify({ host, file: '/srv/im/app.log', message, offset, source_type: 'file' });

export const SDK_404: [message: string, offset: number][] = [
  ['2026-11-27 10:18:01.200  WARN 4711 --- [ctor-http-nio-4] c.acme.im.UserLookup                     : lookup of bob failed', 0],
  ['com.easemob.im.server.exception.EMNotFoundException: GET /acme/chat/users/bob -> 404 Not Found, ', 120],
  [' error_description -> Service resource not found', 220],
  ['\tat com.easemob.im.server.api.DefaultErrorMapper.toException(DefaultErrorMapper.java:64)', 270],
  ['2026-11-27 10:18:02.300  INFO 4711 --- [main] c.acme.im.MessageSender                  : sent', 360],
];

/** Lines [from, to) of SDK_404 as one ndjson batch from `host`. */
export const sdkBatch = (host: string, from: number, to: number): string =>
  SDK_404.slice(from, to).map(([m, o]) => vectorRecord(host, m, o)).join('\n');
