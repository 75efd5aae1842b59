import type { z } from 'zod';
import type { PathKey } from './yaml-location.js';

/** Edit distance (insert, delete, substitute, swap of neighbours): `min_severty` → `min_severity` is 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known key closest to `key`, if it is close enough to be a typo (about one edit in three letters). */
export function nearestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(key.toLowerCase(), k.toLowerCase());
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== null && bestD <= Math.max(1, Math.floor(key.length / 3)) ? best : null;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Keys of the object schema found at `path` (through defaults, optionals, arrays, transforms and unions). */
export function keysAt(schema: z.ZodType, path: readonly PathKey[]): string[] {
  const found: string[] = [];
  const walk = (s: z.ZodType, rest: readonly PathKey[]): void => {
    const def = defOf(s);
    if (def.innerType) return walk(def.innerType, rest);
    if (def.type === 'pipe' && def.in) return walk(def.in, rest);
    if (def.type === 'union' && def.options) return def.options.forEach((o) => walk(o, rest));
    if (def.type === 'array' && def.element) return walk(def.element, typeof rest[0] === 'number' ? rest.slice(1) : rest);
    if (def.type === 'object' && def.shape) {
      if (rest.length === 0) found.push(...Object.keys(def.shape));
      else if (typeof rest[0] === 'string' && def.shape[rest[0]]) walk(def.shape[rest[0]], rest.slice(1));
    }
  };
  walk(schema, path);
  return [...new Set(found)];
}
