import safeRegex from 'safe-regex2';

/** Longest regex source accepted: descriptions are short; longer patterns are usually pasted logs. */
export const MAX_REGEX_LENGTH = 400;

/**
 * Why a description regex is refused, or null when it is accepted. Runs at load, so a rule that
 * could stall the classifier on one hostile log line never gets in. Checks, in order:
 * syntax, length, safe-regex2's star height (nested quantifiers such as `(a+)+`), and our own
 * scan for what star height misses: an unbounded quantifier on a group holding an alternation
 * (`(a|a)*`) or on a group that itself holds a quantifier (`(a*b){2,}`), and back-references.
 */
export function regexProblem(source: string): string | null {
  try {
    new RegExp(source, 'i');
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  if (source.length > MAX_REGEX_LENGTH) return `regex is ${source.length} characters long; at most ${MAX_REGEX_LENGTH} allowed`;
  const scan = scanQuantifiedGroups(source);
  if (scan) return scan;
  if (!safeRegex(source)) {
    return 'regex can backtrack catastrophically (nested quantifiers such as (a+)+); rewrite it without a quantifier inside a repeated group';
  }
  return null;
}

interface Group {
  hasAlt: boolean;
  hasQuant: boolean;
}

function scanQuantifiedGroups(src: string): string | null {
  const stack: Group[] = [{ hasAlt: false, hasQuant: false }];
  let i = 0;
  let closed: Group | null = null; // group that just closed, waiting to see its quantifier
  while (i < src.length) {
    const c = src[i];
    const top = stack[stack.length - 1];
    if (c === '\\') {
      if (/[1-9k]/.test(src[i + 1] ?? '')) return 'back-references are not allowed in rule regexes';
      closed = null;
      i += 2;
      continue;
    }
    if (c === '[') {
      // Skip the character class; escapes inside it do not nest.
      i++;
      if (src[i] === '^') i++;
      if (src[i] === ']') i++;
      while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
      i++;
      closed = null;
      continue;
    }
    if (c === '(') {
      stack.push({ hasAlt: false, hasQuant: false });
      i++;
      if (src[i] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>
        i++;
        if (src[i] === '<' && src[i + 1] !== '=' && src[i + 1] !== '!') {
          while (i < src.length && src[i] !== '>') i++;
        }
        i++;
      }
      closed = null;
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      if (!g || stack.length === 0) return null; // unbalanced: RegExp already accepted it, so unreachable
      closed = g;
      const parent = stack[stack.length - 1];
      parent.hasAlt ||= g.hasAlt;
      parent.hasQuant ||= g.hasQuant;
      i++;
      continue;
    }
    if (c === '|') {
      top.hasAlt = true;
      closed = null;
      i++;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      let unbounded = c === '*' || c === '+';
      let len = 1;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
        if (!m) {
          // A literal brace: without the u flag `a{` is not a quantifier.
          closed = null;
          i++;
          continue;
        }
        unbounded = m[2] !== undefined && m[3] === '';
        const max = m[3] ? Number(m[3]) : Number(m[1]);
        if (!unbounded && max > 50) unbounded = true; // {1,1000} backtracks like +
        len = m[0].length;
      }
      if (closed && unbounded) {
        if (closed.hasQuant) return 'regex repeats a group that itself contains a quantifier (e.g. (a+b)+ or (a*b){2,}); this can backtrack catastrophically';
        if (closed.hasAlt) return 'regex repeats a group that contains alternatives (e.g. (a|ab)*); this can backtrack catastrophically';
      }
      top.hasQuant = true;
      closed = null;
      i += len;
      if (src[i] === '?') i++; // lazy modifier
      continue;
    }
    closed = null;
    i++;
  }
  return null;
}
