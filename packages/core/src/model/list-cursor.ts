import { HookworkError, shownValue } from '../errors/hookwork-error';
import type { ListPosition } from './page';

/**
 * The listings a cursor belongs to (the newest-first delivery log and dead letters, the webhooks
 * in creation order); a cursor of one is refused by the others.
 */
export type CursorListing = 'logs' | 'deadLetters' | 'webhooks.list';

/** Short names inside the cursor, so a cursor stays short in a URL. */
const LIST_TAG: Readonly<Record<CursorListing, string>> = { logs: 'log', deadLetters: 'dead', 'webhooks.list': 'hook' };

/** What a refusal calls each listing (a message read at the library and at the HTTP API alike). */
const LIST_NAME: Readonly<Record<CursorListing, string>> = { logs: 'the delivery log', deadLetters: 'the dead letters', 'webhooks.list': 'the webhooks' };

/** Where a listing's first page starts, as a refusal tells the caller to start over. */
export function listingStart(listing: CursorListing): string {
  return listing === 'webhooks.list' ? 'the first (oldest) webhook' : 'the newest';
}

/** The version a cursor carries, so a later format can refuse (or read) an older one by name. */
const CURSOR_VERSION = 1;

/** The longest store tie-breaker a cursor carries (an id of up to 200 characters, with room). */
const LONGEST_TIE = 400;

/** The longest cursor read: past this no cursor hookwork makes can be, so it is not decoded. */
const LONGEST_CURSOR = 1024;

/**
 * Where a cursor says the next page starts: after a store position (`{ at, tie }`), or — for a
 * store that cannot page by position — after `offset` items (unstable under writes, as an offset is).
 */
export type CursorPlace = { position: ListPosition } | { offset: number };

/**
 * Makes the opaque `next` cursor of a listing: base64url of a small JSON object
 * (`{ v, l, at, t }` or `{ v, l, o }`) naming its version, its listing and its place. Not a
 * secret and not signed: a changed cursor is checked by {@link readCursor} and the store, and at
 * worst lists from another place of the same listing, which the caller may read anyway.
 */
export function makeCursor(listing: CursorListing, place: CursorPlace): string {
  const body = 'position' in place ? { v: CURSOR_VERSION, l: LIST_TAG[listing], at: place.position.at, t: place.position.tie } : { v: CURSOR_VERSION, l: LIST_TAG[listing], o: place.offset };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * Reads an `after` cursor given to `listing`: its place, or HOOKWORK_ERR_INVALID_CURSOR naming
 * the parameter and the fix when it is no cursor of that listing (not a string, not base64url,
 * changed, cut short, of another version or of the other listing). Nothing is read or stored
 * before it is checked.
 */
export function readCursor(listing: CursorListing, after: unknown): CursorPlace {
  const refuse = (why: string) => invalidCursor(listing, why);
  if (typeof after !== 'string') throw refuse(`is ${after === null ? 'null' : typeof after}, not a string`);
  if (after.length === 0 || after.length > LONGEST_CURSOR || !/^[A-Za-z0-9_-]+$/.test(after)) throw refuse(`is ${shownValue(after.length > 60 ? `${after.slice(0, 60)}…` : after)}, which is no cursor (a cursor is base64url text of at most ${LONGEST_CURSOR} characters)`);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw refuse('does not decode to a cursor (changed or cut short)');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw refuse('does not decode to a cursor (changed or cut short)');
  const fields = body as Record<string, unknown>;
  if (fields['v'] !== CURSOR_VERSION) throw refuse(`is of cursor version ${shownValue(fields['v'])}, which this hookwork does not read (it reads version ${CURSOR_VERSION})`);
  const tag = fields['l'];
  if (tag !== LIST_TAG[listing]) {
    const other = Object.entries(LIST_TAG).find(([, value]) => value === tag)?.[0];
    throw refuse(other ? `is a cursor of ${LIST_NAME[other as CursorListing]}, not of ${LIST_NAME[listing]}` : 'names no listing (changed)');
  }
  const keys = Object.keys(fields).sort().join(',');
  if (keys === 'at,l,t,v') {
    const { at, t } = fields;
    if (typeof at !== 'number' || !Number.isSafeInteger(at)) throw refuse('holds a time that is not a whole number of ms (changed)');
    if (typeof t !== 'string' || t.length === 0 || t.length > LONGEST_TIE) throw refuse('holds a tie-breaker that is not a string of 1 to 400 characters (changed)');
    return { position: { at, tie: t } };
  }
  if (keys === 'l,o,v') {
    const { o } = fields;
    if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) throw refuse('holds an offset that is not a whole number from 0 (changed)');
    return { offset: o };
  }
  throw refuse('does not decode to a cursor (changed or cut short)');
}

/**
 * HOOKWORK_ERR_INVALID_CURSOR for a store: a position's `tie` it cannot have made (a sequence
 * number that is not digits). `listing` is `logs`, `deadLetters` or `webhooks.list`; `why` says
 * what is wrong.
 */
export function invalidPositionError(listing: CursorListing, why: string): HookworkError {
  return invalidCursor(listing, why);
}

/** What each listing's store numbers in sequence, as a refusal of a tie that is no such number names it. */
const SEQUENCE_OF: Readonly<Record<CursorListing, string>> = { logs: 'this log', deadLetters: 'this queue', 'webhooks.list': 'these webhooks' };

/**
 * A position's `tie` for a store that makes it from a sequence number (a row's `seq`, an append
 * counter): its digits, checked before the store reads them, as the store compares them — at most
 * `maxDigits` (15, the default: any such number is exact as a JavaScript number; 18 for a
 * PostgreSQL bigint read as text). Anything else is a tie the store cannot have made (a cursor
 * changed by hand): HOOKWORK_ERR_INVALID_CURSOR, `holds a tie-breaker that is no sequence number
 * of this log` (this queue, these webhooks), as {@link invalidPositionError} words it.
 *
 * @param listing - `logs`, `deadLetters` or `webhooks.list`.
 * @param tie - the position's `tie`, as the caller's cursor held it.
 * @param maxDigits - the most digits a sequence number of the store has.
 * @returns `tie`, digits only (`Number(tie)` for a store that counts in numbers).
 * @throws HookworkError HOOKWORK_ERR_INVALID_CURSOR
 */
export function positionSequence(listing: CursorListing, tie: string, maxDigits = 15): string {
  if (tie.length > maxDigits || !/^\d+$/.test(tie)) throw invalidCursor(listing, `holds a tie-breaker that is no sequence number of ${SEQUENCE_OF[listing]} (changed)`);
  return tie;
}

function invalidCursor(listing: CursorListing, why: string): HookworkError {
  return new HookworkError(
    'HOOKWORK_ERR_INVALID_CURSOR',
    `${listing}() was given after that ${why}; pass the next of the page before, as it was, or leave after out to start from ${listingStart(listing)}`,
    { details: [{ field: 'after', problem: why }] },
  );
}
