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
  /** Cockpit's `COCKPIT_ADMIN`: 1 when Cockpit served an HTTP request (its index.php defines it for the admin pages and the REST API alike), 0 when it ran from the CLI or embedded in another PHP site. */
  backend: 0 | 1;
  /** The event's positional arguments, in Cockpit's order (see {@link CockpitEventInfo.args}). */
  args: readonly unknown[];
}
