// Log lines for the tailer benchmark (shared by bench-tail.ts and its child processes).
export function failLine(seq, wt) {
  return JSON.stringify({
    level: 50, time: 1764300000000, msg: 'easemob call failed', method: 'POST', url: 'https://a1.easemob.com/acme/chat/messages/users',
    status: 429, body: { error: 'reach_limit', error_description: 'This request has reached api limit' }, seq, wt,
  });
}
export function filler(seq) {
  return JSON.stringify({ level: 30, time: 1764300000000, msg: 'request completed', method: 'GET', url: '/api/v1/users/profile', status: 200, ms: 12, seq });
}
