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

/** Keys by hash input: a log has few distinct group-by tuples, and sha1 per event costs ~4% of a replay. */
const memo = new Map<string, string>();
const MEMO_MAX = 4096;

/**
 * Stable incident key: sha1 over the classification's group-by fields (name and value, so two
 * groupings never collide), first 16 hex digits. Same inputs give the same key across restarts.
 */
export function fingerprint(ev: ApiErrorEvent, cls: Classification): string {
  // The hash input, as one string: the same bytes as hashing the pieces one after the other
  // (each piece is UTF-8 encoded on its own either way, and the separators are ASCII).
  let input = '';
  for (const f of cls.groupBy) input += f + '\u0000' + fieldValue(f, ev, cls) + '\u0001';
  let key = memo.get(input);
  if (key === undefined) {
    key = createHash('sha1').update(input).digest('hex').slice(0, 16);
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(input, key);
  }
  return key;
}
