/**
 * Why hookwork drops a request, as `requestDropped` tells it (and its `dropped` log entry, after
 * `not sent: `): its webhook was deleted (by the deletion, the cleanup round or delivery meeting
 * it), or deleted and another created under its key since (delivery meeting it). The metrics map
 * each to a label (DROP_REASON_LABELS), so a reason added here must be added there.
 */
export const DROP_REASON = Object.freeze({
  deleted: 'the webhook was deleted',
  recreated: 'the webhook it was published for was deleted; the webhook now under its key was created after it',
} as const);
