/**
 * The body Cockpit v1 POSTs for every webhook: `{ event, hook, backend, args }`, in that order.
 * `event` is the name that fired (a name-spaced one such as `collections.save.after.posts` when
 * the webhook subscribed to that), `hook` the webhook's name.
 */
export interface CockpitEnvelope {
  event: string;
  hook: string;
  backend: 0 | 1;
  args: readonly unknown[];
}
