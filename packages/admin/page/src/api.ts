/** The admin API as the page calls it: JSON in and out, the token from this tab's session. */
// Type-only: the bundle holds nothing of @hookwork/core.
import type { DeliveryLogEntry, QueueCounts as CoreQueueCounts, TestEventResult, WebhookEventDescriptor, WebhookHealth, WebhookRequest, WebhookView as CoreWebhookView } from '@hookwork/core';

const TOKEN_KEY = 'hookwork-admin-token';

/** An RFC 9457 problem the API answered with. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  /** Each field at fault: `in` is body, query, path, header — or form, for what the page refused before sending. */
  errors?: { in: string; field: string; detail: string; pointer?: string }[];
}

/** A refused or failed API call. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** How the API let this tab in: a bearer token of the tab's, or the host's own sign-in (its session). */
export type SignedInVia = 'token' | 'host';

/** What GET session answers. */
export interface Session {
  principal: { id: string; name?: string };
  via: SignedInVia;
}

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Calls `path` under the API (relative to the page's base, so any prefix works). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await versioned<T>(method, path, body)).value;
}

/**
 * As {@link api}, with the answer's ETag (a webhook's version), and `ifMatch` sent as If-Match:
 * a change made to a version another tab has changed since is refused with 412, not applied over
 * that tab's change.
 */
export async function versioned<T>(method: string, path: string, body?: unknown, ifMatch?: string): Promise<{ value: T; etag: string | undefined }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = tokenStore.get();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch !== undefined) headers['if-match'] = ifMatch;
  let response: Response;
  try {
    response = await fetch(new URL(`api/v1/${path}`, document.baseURI), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), credentials: 'same-origin' });
  } catch (error) {
    // The browser's own words ("Failed to fetch") tell a back-office user nothing; say what it
    // likely means and what to do. A change sent may or may not have been made: say so too.
    throw new ApiError({
      status: 0,
      code: 'NETWORK',
      title: 'The admin server did not answer',
      detail: `It may be stopped or restarting, or the network is down (${(error as Error).message}). What you typed here is kept: try again once the server is back${method === 'GET' ? '' : ', after Refresh shows whether the change was made'}.`,
    });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    throw notTheApi(response, method);
  }
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new CustomEvent('hw-unauthorized'));
    const problem = json as Partial<Problem> | undefined;
    throw new ApiError({ status: response.status, code: problem?.code ?? `HTTP_${response.status}`, title: problem?.title ?? response.statusText, detail: problem?.detail ?? text, ...(problem?.errors ? { errors: problem.errors } : {}) });
  }
  return { value: json as T, etag: response.headers.get('etag') ?? undefined };
}

/** Reason phrases for when the response has none (HTTP/2 sends no reason phrase). */
const REASONS: Readonly<Record<number, string>> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Content Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/**
 * An answer that is not the API's JSON: a page a proxy or load balancer in front of the API sent
 * (502, 503, a maintenance page) or a sign-in page a session proxy answered with. A JSON parser's
 * "Unexpected token '<'" tells a back-office user nothing; this says who answered and what to do.
 */
function notTheApi(response: Response, method: string): ApiError {
  if (response.status === 401) window.dispatchEvent(new CustomEvent('hw-unauthorized'));
  const kept = `What you typed here is kept${method === 'GET' ? '' : '; Refresh shows whether the change was made'}.`;
  if (!response.ok) {
    const status = `${response.status} ${response.statusText || REASONS[response.status] || ''}`.trim();
    if (response.status === 413) {
      // Refused for its size: waiting does not help, a smaller request does.
      return new ApiError({
        status: 413,
        code: 'HTTP_413',
        title: `The server answered ${status}`,
        detail: `A proxy or load balancer in front of the API refused the request for its size, and nothing was changed. What you typed here is kept: shorten the longest entries (content types, header values) and try again, or ask whoever runs the server to let larger requests through.`,
      });
    }
    return new ApiError({
      status: response.status,
      code: `HTTP_${response.status}`,
      title: `The server answered ${status}`,
      detail: `The answer is a page, not the admin API's: a proxy or load balancer in front of the API may have answered (the API may be restarting, stopped or overloaded). ${kept} Wait a moment and try again.`,
    });
  }
  return new ApiError({
    status: 0,
    code: 'NOT_THE_API',
    title: 'The server answered with a page, not the admin API',
    detail: `It may be a sign-in page of a proxy in front of the API (your session there may have ended): reload the page to sign in again. ${kept}`,
  });
}

/**
 * A webhook's state as its ETag is of it, as text two reads of one state give alike whatever order
 * their keys came in: `unknownEvents` and `urlBlocked` (each server's reading of the state) left
 * out. A list's row and a later read of the webhook compare equal only if nobody changed it between.
 */
export function stateOf(view: WebhookView): string {
  const { unknownEvents: _derived, urlBlocked: _derivedToo, ...state } = view;
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
          )
        : value;
  return JSON.stringify(canonical(state));
}

/** A path segment, encoded. */
export const seg = (value: string) => encodeURIComponent(value);

/** A query string of the defined values. */
export function qs(params: Record<string, string | number | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(name, v);
    else search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The API's largest page (`take` at most 1000, core's largest page). */
const LARGEST_PAGE = 1000;

/**
 * Every webhook, in creation order, read a page of 1,000 at a time, each page after the last
 * webhook of the one before (its `next`) until a page has none: a picker that read one page would
 * leave every webhook past the first 1,000 out, and one that read by `skip` missed a webhook when
 * another was deleted between two pages (and listed one twice when one was created before it).
 */
export async function allWebhooks(): Promise<Page<WebhookView>> {
  const items: WebhookView[] = [];
  let after: string | undefined;
  for (;;) {
    const page: Page<WebhookView> = await api<Page<WebhookView>>('GET', `webhook${qs({ take: LARGEST_PAGE, after })}`);
    items.push(...page.items);
    if (page.next === undefined) return { items, total: page.total };
    after = page.next;
  }
}

// The shapes the API answers with: core's own types as JSON carries them (dates as strings).

/** `T` after a JSON round trip: every Date an ISO 8601 string. */
export type Json<T> = T extends Date ? string : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

export interface Page<T> {
  items: T[];
  total: number;
  /** The cursor to the page after this one (as `after`: the webhooks, the delivery log, the dead letters); absent on the last page. */
  next?: string;
}
export type WebhookView = Json<CoreWebhookView>;
export type CreatedWebhook = WebhookView & { secret?: string };
export type EventDescriptor = Json<WebhookEventDescriptor>;
export type LogEntry = Json<DeliveryLogEntry>;
export type DeadLetter = Json<WebhookRequest>;
export type TestResult = Json<TestEventResult>;
export type Health = Json<WebhookHealth>;
export type QueueCounts = Json<CoreQueueCounts>;
