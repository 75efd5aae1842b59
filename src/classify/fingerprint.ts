import { createHash } from 'node:crypto';
import type { ApiErrorEvent } from '../parse/event.js';
import type { Classification } from './types.js';

function fieldValue(field: string, ev: ApiErrorEvent, cls: Classification): string {
  switch (field) {
    case 'ref':
      // Unknown errors still group apart: by status + error code instead of the (null) row.
      return cls.ref ?? `?${ev.status ?? ''}|${ev.error ? ev.error.trim().toLowerCase() : ''}`;
    case 'rule':
      return cls.rule ?? '';
    case 'category':
      return cls.category;
    case 'status':
      return ev.status === null ? '' : String(ev.status);
    case 'error':
      return ev.error ? ev.error.trim().toLowerCase() : '';
    default: {
      const v = (ev as unknown as Record<string, unknown>)[field];
      return v === null || v === undefined ? '' : String(v);
    }
  }
}

/**
 * Stable incident key: sha1 over the classification's group-by fields (name and value, so two
 * groupings never collide), first 16 hex digits. Same inputs give the same key across restarts.
 */
export function fingerprint(ev: ApiErrorEvent, cls: Classification): string {
  const h = createHash('sha1');
  for (const f of cls.groupBy) {
    h.update(f);
    h.update('\u0000');
    h.update(fieldValue(f, ev, cls));
    h.update('\u0001');
  }
  return h.digest('hex').slice(0, 16);
}
