import type { AxiosInstance } from 'axios';
import { createToken } from '../runtime/tokens';
import type { WebhookInfo } from '../model/webhook-info';
import type { DeliveryTlsOptions } from './transport/http-transport';
import type { HostResolver } from './transport/ssrf-guard';
import { loggedHeaderProblem } from './logged-headers';

/** The outgoing request as a before-send hook sees it, and may change it. */
export interface BeforeSendRequest {
  /** The absolute http(s) URL to send to; a hook may change it (the SSRF guard judges the final one). */
  url: string;
  /** Custom and framework headers (the signature is added after the hook, over the final body). */
  headers: Record<string, string>;
  /**
   * The body in the webhook's format — the JSON as stored, or the structured CloudEvent wrapping
   * it; a hook may replace it (it is signed as changed).
   */
  body: string;
}

/** What a before-send hook is told about the request besides what it may change. */
export interface BeforeSendContext {
  /**
   * The webhook, as event classes see it: frozen, no signing secrets, sensitive header values
   * redacted (`request.headers` carries the values that go on the wire).
   */
  webhook: WebhookInfo;
  /** The event alias that fired (sent in the event header). */
  eventAlias: string;
  /** The request's `webhook-id`, the same on every attempt. */
  requestId: string;
  /** Attempts made before this one (0 on the first); sent in the retry-count header. */
  retryCount: number;
  /** True for sendTestEvent(). */
  test: boolean;
}

/**
 * A host's hook on every outgoing request, as Cockpit's `cockpit.webhook` event: add auth,
 * change the URL, the headers or the body. It may change `request` in place or return a new one.
 * The signature headers are computed after it, over the final body, and the SSRF guard judges
 * the final URL. A hook that throws fails the attempt (errorKind `other`, retried). What it
 * returns must go on the wire unchanged — header names are RFC 9110 tokens, values visible ASCII,
 * space and tab; the URL absolute http(s) without whitespace or control characters — or the
 * request is not sent: a failure of kind `invalid`, dead-lettered at once with the header or URL
 * and the character at fault. The URL is sent and logged in its canonical WHATWG form.
 */
export type BeforeSendHook = (request: BeforeSendRequest, context: BeforeSendContext) => void | BeforeSendRequest | Promise<void | BeforeSendRequest>;

/** Delivery options of createHookwork({ delivery }). */
export interface DeliveryOptions {
  /** Runs before every attempt (and test send). */
  beforeSend?: BeforeSendHook;
  /**
   * Configures the axios transport's instance, e.g. to add interceptors. Refused
   * (HOOKWORK_ERR_INVALID_OPTIONS) with any other `transport`, which it could not reach.
   */
  configureAxios?: (axios: AxiosInstance) => void;
  /**
   * Names of the request headers a `configureAxios` interceptor or the `beforeSend` hook adds
   * whose values the delivery log may show (`['x-request-id']`). The log keeps the values of the
   * headers hookwork sets and of the webhook's own headers not marked sensitive; any other
   * header is logged as `[redacted]`, since hookwork cannot tell a trace id from an API key.
   * `authorization`, `proxy-authorization`, `cookie` and `webhook-signature` are refused: they
   * are always redacted.
   */
  loggedHeaders?: readonly string[];
  /**
   * Resolves host names for the built-in transports, and for a transport factory, which is given
   * it (default: `dns.lookup`); the SSRF guard judges what it returns. Refused beside a ready
   * transport object, which it could not reach.
   */
  resolver?: HostResolver;
  /**
   * TLS trust of the built-in transports and of a transport factory: `{ ca }` adds an internal
   * CA. Certificates are always verified. Refused beside a ready transport object.
   */
  tls?: DeliveryTlsOptions;
}

/** Injection token of the app's {@link DeliveryOptions}. */
export const DeliveryOptionsToken = createToken<DeliveryOptions>('hookwork.DeliveryOptions');

/** Every key of {@link DeliveryOptions}; anything else is refused as a typo. */
const DELIVERY_OPTION_KEYS: readonly (keyof DeliveryOptions)[] = ['beforeSend', 'configureAxios', 'loggedHeaders', 'resolver', 'tls'];

/**
 * The delivery options a transport is made with: the built-in ones and a factory get them, a ready
 * transport object cannot. (`configureAxios`, for the axios transport only, is checked beside
 * the `transport` option itself.)
 */
const MADE_WITH: readonly (keyof DeliveryOptions)[] = ['resolver', 'tls'];

/** One problem of createHookwork()'s options: the key path and what is wrong with it. */
export interface OptionProblem {
  key: string;
  problem: string;
}

const isPem = (value: unknown): boolean => typeof value === 'string' || Buffer.isBuffer(value);

/**
 * What is wrong with `createHookwork({ delivery })`, given whether the host passed a ready
 * transport object: unknown keys (a `beforeSent` typo would never run), values of the wrong kind,
 * and the resolver or TLS trust beside a ready transport, where they would be silently ignored.
 * Empty when nothing is.
 */
export function deliveryOptionProblems(delivery: object, readyTransport: boolean): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const options = delivery as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!(DELIVERY_OPTION_KEYS as readonly string[]).includes(key)) {
      const near = DELIVERY_OPTION_KEYS.find((k) => k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
      problems.push({ key: `delivery.${key}`, problem: `is not a delivery option${near ? ` (did you mean ${near}?)` : ''}; they are ${DELIVERY_OPTION_KEYS.join(', ')}` });
    }
  }
  for (const key of ['beforeSend', 'configureAxios', 'resolver'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') problems.push({ key: `delivery.${key}`, problem: `must be a function; got ${options[key] === null ? 'null' : typeof options[key]}` });
  }
  const logged = options.loggedHeaders;
  if (logged !== undefined) {
    if (!Array.isArray(logged)) problems.push({ key: 'delivery.loggedHeaders', problem: 'must be a list of header names such as ["x-request-id"]' });
    else
      logged.forEach((name: unknown, i) => {
        const problem = loggedHeaderProblem(name);
        if (problem) problems.push({ key: `delivery.loggedHeaders[${i}]`, problem: `(${typeof name === 'string' ? JSON.stringify(name) : typeof name}) ${problem}` });
      });
  }
  const tls = options.tls;
  if (tls !== undefined) {
    if (tls === null || typeof tls !== 'object' || Array.isArray(tls)) problems.push({ key: 'delivery.tls', problem: 'must be an object such as { ca: readFileSync("internal-ca.pem") }' });
    else {
      for (const key of Object.keys(tls)) if (key !== 'ca') problems.push({ key: `delivery.tls.${key}`, problem: 'is not a TLS option; the one option is ca (certificates are always verified: add the CA that signed the receiver\'s certificate)' });
      const ca = (tls as { ca?: unknown }).ca;
      if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.every(isPem))) problems.push({ key: 'delivery.tls.ca', problem: 'must be PEM text or a Buffer, or a list of them' });
    }
  }
  if (readyTransport) {
    for (const key of MADE_WITH) {
      if (options[key] !== undefined) problems.push({ key: `delivery.${key}`, problem: 'is given to a transport when it is made, and your transport is made already, so it would be ignored; configure that transport itself, or pass transport a function (context) => Transport, which receives it' });
    }
  }
  return problems;
}
