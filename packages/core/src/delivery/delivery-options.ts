import type { AxiosInstance } from 'axios';
import { createToken } from '../runtime/tokens';
import type { Webhook } from '../model/webhook';
import type { DeliveryTlsOptions } from './transport/http-transport';
import type { HostResolver } from './transport/ssrf-guard';

/** The outgoing request as a before-send hook sees it, and may change it. */
export interface BeforeSendRequest {
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
  /** The webhook, secrets removed. */
  webhook: Omit<Webhook, 'secrets'>;
  eventAlias: string;
  requestId: string;
  retryCount: number;
  /** True for sendTestEvent(). */
  test: boolean;
}

/**
 * A host's hook on every outgoing request, as Cockpit's `cockpit.webhook` event: add auth,
 * change the URL, the headers or the body. It may change `request` in place or return a new one.
 * The signature headers are computed after it, over the final body, and the SSRF guard judges
 * the final URL. A hook that throws fails the attempt (errorKind `other`, retried).
 */
export type BeforeSendHook = (request: BeforeSendRequest, context: BeforeSendContext) => void | BeforeSendRequest | Promise<void | BeforeSendRequest>;

/** Delivery options of createHookwork({ delivery }). */
export interface DeliveryOptions {
  /** Runs before every attempt (and test send). */
  beforeSend?: BeforeSendHook;
  /**
   * Configures the default transport's axios instance, e.g. to add interceptors. Ignored when
   * the host passes its own `transport`.
   */
  configureAxios?: (axios: AxiosInstance) => void;
  /** Resolves host names for the default transport (default: `dns.lookup`); the SSRF guard judges what it returns. */
  resolver?: HostResolver;
  /** TLS trust of the default transport: `{ ca }` adds an internal CA. Certificates are always verified. */
  tls?: DeliveryTlsOptions;
}

/** Injection token of the app's {@link DeliveryOptions}. */
export const DeliveryOptionsToken = createToken<DeliveryOptions>('hookwork.DeliveryOptions');
