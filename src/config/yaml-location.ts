import type { Document, LineCounter } from 'yaml';
import { isMap, isNode, isPair, isScalar } from 'yaml';

/** Where a value sits in a YAML file, for errors that name file, line and key (config and rules). */
export type PathKey = string | number;

/** `notify.slack.routes[0].webhook_url` */
export function keyName(path: readonly PathKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
}

/**
 * Line of `path` in the document: the key's line when the last step is a map key (so an unknown
 * or wrong key points at itself, not at a value on a later line), else the deepest existing node's.
 */
export function lineOf(doc: Document, lc: LineCounter, path: readonly PathKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const head = path.slice(0, n);
    const last = head[head.length - 1];
    if (typeof last === 'string') {
      const parent = doc.getIn(head.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
        if (pair && isNode(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]).line;
      }
    }
    const node = doc.getIn(head, true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}
