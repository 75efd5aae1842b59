// Interim classifier (status only) until the classify branch lands.
import { createHash } from 'node:crypto';
import type { Classification, Classifier } from './types.js';
export * from './types.js';

export function loadClassifier(_opts: { files?: string[] } = {}): Classifier {
  return {
    classify: (ev): Classification => ({
      ref: ev.status ? `S${ev.status}` : 'T01', rule: null, category: 'unknown', severity: 'error',
      title: `HTTP ${ev.status}`, hint: '', hintZh: '', retryable: false, groupBy: ['ref', 'endpoint', 'appkey'],
    }),
    fingerprint: (ev, cls) => createHash('sha1').update(`${cls.ref}|${ev.endpoint}|${ev.appkey}`).digest('hex').slice(0, 16),
  };
}
