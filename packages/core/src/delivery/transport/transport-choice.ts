import type { AxiosInstance } from 'axios';
import type { Transport } from '../../ports/transport';
import { createHttpTransport, type DeliveryTlsOptions } from './http-transport';
import type { HostResolver, SsrfPolicySource } from './ssrf-guard';
import { createUndiciTransport } from './undici-transport';

/** The built-in transports, by name: `axios` (the default) and `undici` (the lean one). */
export type TransportName = 'axios' | 'undici';

/** What the app gives a transport factory: what the built-in transports are made from. */
export interface TransportContext {
  /** The app's settings; the SSRF guard reads `ssrf` from them on every connection. */
  settings: SsrfPolicySource;
  /** `delivery.resolver`, when the host gave one. */
  resolver?: HostResolver;
  /** `delivery.tls`, when the host gave it. */
  tls?: DeliveryTlsOptions;
}

/** Makes the app's transport from its {@link TransportContext}; called once, at the first delivery or test send. */
export type TransportFactory = (context: TransportContext) => Transport;

/**
 * The `transport` option of createHookwork(): a built-in transport by name, a factory, or a
 * ready transport.
 */
export type TransportChoice = TransportName | TransportFactory | Transport;

const NAMES: readonly string[] = ['axios', 'undici'] satisfies TransportName[];

/** What createHookwork() says a `transport` must be. */
export const TRANSPORT_CHOICE_EXPECTED = `'axios' (the default) or 'undici', a function (context) => Transport, or a transport with send() and close()`;

/** True for a value the `transport` option takes; an unknown name (`'fetch'`) is not one. */
export function isTransportChoice(value: unknown): value is TransportChoice {
  if (typeof value === 'string') return NAMES.includes(value);
  if (typeof value === 'function') return true;
  const candidate = value as Partial<Transport> | null;
  return typeof value === 'object' && value !== null && typeof candidate!.send === 'function' && typeof candidate!.close === 'function';
}

/** The transport a checked {@link TransportChoice} stands for. */
export function createTransport(choice: TransportChoice, context: TransportContext, configureAxios?: (axios: AxiosInstance) => void): Transport {
  if (choice === 'undici') return createUndiciTransport(context);
  if (choice === 'axios') return createHttpTransport({ ...context, ...(configureAxios ? { configureAxios } : {}) });
  if (typeof choice === 'function') return choice(context);
  return choice;
}
