/**
 * What an operator hears about the health of webhooks, on `app.lifecycle.on('operatorEvent', …)`
 * and, when the host composes `operatorEventsComposer()`, as signed webhooks to an operator
 * endpoint (Svix calls these operational webhooks). The shape is the JSON body sent:
 * `{ type, timestamp, data }`. Each is emitted once across every process sharing a store (by
 * the process whose write made the change).
 */
export type OperatorEvent =
  | OperatorEventOf<'webhook.disabled', { webhookKey: string; url: string; reason: 'gone' | 'failing'; message: string; failingSince?: Date }>
  | OperatorEventOf<'breaker.opened', { webhookKey: string; url: string; trigger: 'consecutive failures' | 'failure rate'; consecutiveFailures: number; failureRate?: number; probeAt: Date }>
  | OperatorEventOf<'breaker.closed', { webhookKey: string; url: string; openedAt?: Date }>
  | OperatorEventOf<'request.exhausted', { webhookKey: string; url: string; requestId: string; eventAlias: string; attempts: number; lastError: string; statusCode?: number; reason: 'retries exhausted' | 'not retryable' }>
  | OperatorEventOf<'webhook.recovered', { webhookKey: string; url: string; failingSince: Date }>;

/** One operator event: its type (also the alias an operator webhook subscribes to), when, and what. */
export interface OperatorEventOf<TType extends string, TData> {
  /** What happened; also the alias an operator webhook subscribes to. */
  readonly type: TType;
  /** When it happened. */
  readonly timestamp: Date;
  /** What it is about (the webhook, its URL, and what the event type adds). */
  readonly data: TData;
}

/** The operator event types. */
export type OperatorEventType = OperatorEvent['type'];

/** Every operator event type, in the order docs/health.md describes them. */
export const OPERATOR_EVENT_TYPES: readonly OperatorEventType[] = Object.freeze(['breaker.opened', 'breaker.closed', 'webhook.recovered', 'webhook.disabled', 'request.exhausted']);
