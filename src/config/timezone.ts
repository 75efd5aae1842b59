/**
 * Time zones are IANA Area/Location names. Abbreviations are refused even where the zone database
 * knows them: "CST" is US Central to tzdata and China Standard Time to most of this tool's users,
 * "IST" is India, Ireland or Israel, and a silently wrong zone shifts every log time by hours.
 */

/** Common abbreviations and legacy names, and the zones people usually mean by them. */
const MEANT: Record<string, string[]> = {
  CST: ['Asia/Shanghai', 'America/Chicago'],
  CDT: ['America/Chicago'],
  IST: ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem'],
  EST: ['America/New_York'],
  EDT: ['America/New_York'],
  PST: ['America/Los_Angeles'],
  PDT: ['America/Los_Angeles'],
  MST: ['America/Denver', 'America/Phoenix'],
  MDT: ['America/Denver'],
  HST: ['Pacific/Honolulu'],
  AKST: ['America/Anchorage'],
  AST: ['America/Halifax', 'Asia/Riyadh'],
  BST: ['Europe/London', 'Asia/Dhaka'],
  CET: ['Europe/Berlin', 'Europe/Paris'],
  CEST: ['Europe/Berlin', 'Europe/Paris'],
  MET: ['Europe/Berlin'],
  EET: ['Europe/Athens', 'Europe/Helsinki'],
  WET: ['Europe/Lisbon'],
  MSK: ['Europe/Moscow'],
  JST: ['Asia/Tokyo'],
  KST: ['Asia/Seoul'],
  ROK: ['Asia/Seoul'],
  HKT: ['Asia/Hong_Kong'],
  SGT: ['Asia/Singapore'],
  PHT: ['Asia/Manila'],
  ICT: ['Asia/Bangkok', 'Asia/Ho_Chi_Minh'],
  WIB: ['Asia/Jakarta'],
  PRC: ['Asia/Shanghai'],
  CTT: ['Asia/Shanghai'],
  ROC: ['Asia/Taipei'],
  AEST: ['Australia/Sydney', 'Australia/Brisbane'],
  AWST: ['Australia/Perth'],
  NZ: ['Pacific/Auckland'],
  NZST: ['Pacific/Auckland'],
  EST5EDT: ['America/New_York'],
  CST6CDT: ['America/Chicago'],
  MST7MDT: ['America/Denver'],
  PST8PDT: ['America/Los_Angeles'],
};

/** Zones without a slash that are unambiguous. */
const PLAIN_OK = new Set(['UTC', 'GMT']);

function known(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why `tz` is not accepted (with the zones meant, when it is a known abbreviation), or null when it is fine. */
export function timezoneProblem(tz: string): string | null {
  if (PLAIN_OK.has(tz.toUpperCase()) || (tz.includes('/') && known(tz))) return null;
  const meant = MEANT[tz.toUpperCase()];
  if (meant) {
    const list = meant.map((z) => `"${z}"`);
    const which = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
    return `"${tz}" is an abbreviation, not an IANA timezone (ambiguous or DST-blind): did you mean ${which}?`;
  }
  if (known(tz)) return `"${tz}" is a legacy or abbreviated zone name: use an IANA Area/Location name such as "Asia/Shanghai" or "UTC"`;
  return `expected an IANA timezone such as "UTC" or "Asia/Shanghai", got "${tz}"`;
}
