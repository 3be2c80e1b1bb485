/**
 * The body Cockpit v1 POSTs for every webhook: `{ event, hook, backend, args }`, in that order.
 * `event` is the name that fired (a name-spaced one such as `collections.save.after.posts` when
 * the webhook subscribed to that), `hook` the webhook's name.
 */
export interface CockpitEnvelope {
  /** The event name that fired, as the webhook subscribed to it. */
  event: string;
  /** The webhook's name (its key when it has none). */
  hook: string;
  /** Cockpit's `COCKPIT_ADMIN`: 1 when the change came from the admin UI, else 0. */
  backend: 0 | 1;
  /** The event's positional arguments, in Cockpit's order (see {@link CockpitEventInfo.args}). */
  args: readonly unknown[];
}
