/**
 * A Cockpit event as the host triggered it: the event name, its positional arguments (already
 * redacted where credentials would leak), whether it came through Cockpit's web entry (`backend`), and the
 * name its name-spaced variant fires under. Each Cockpit event has its own subclass (made by
 * defineCockpitEvent), so the notification bus wakes only that event's webhook event class.
 */
export class CockpitEventNotification {
  constructor(
    /** The plain event name (`collections.save.after`). */
    readonly event: string,
    /** The positional arguments, as they will be sent. */
    readonly args: readonly unknown[],
    /** Cockpit's `COCKPIT_ADMIN`: 1 when Cockpit served an HTTP request (its index.php defines it for the admin pages and the REST API alike), 0 when it ran from the CLI or embedded in another PHP site. */
    readonly backend: 0 | 1,
    /** `posts` when `collections.save.after.posts` fires too; undefined for events without variants. */
    readonly namespace?: string,
  ) {}
}

/** A notification class of one Cockpit event. */
export type CockpitEventNotificationType = new (event: string, args: readonly unknown[], backend: 0 | 1, namespace?: string) => CockpitEventNotification;
