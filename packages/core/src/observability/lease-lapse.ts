/**
 * How an engine learnt that the lease (or lock) of an attempt running in its process ran out
 * before the attempt ended — the event loop or the store was late past `leaseDuration`:
 * - `reclaimed`: this process's own claim took the request again; it was not started again, and
 *   the running attempt's verdict settles it;
 * - `renewed_late`: the lease was renewed after it had run out; nobody had taken it, but another
 *   process sharing the store could have, and sent it meanwhile;
 * - `lost`: another process took the lease (or settled the request); it may send the request
 *   again, and this attempt's verdict is not applied. The BullMQ engine counts every lock it
 *   could not renew here while the job was still in Redis (or Redis could not say): it cannot tell
 *   whether another process or this one's stalled-job check took the job, so what the polling
 *   engine would count as `reclaimed` or `renewed_late` is `lost` there.
 *
 * Defined with the metrics that count it (`hookwork_leases_lapsed_total{how}`), so that observability
 * needs nothing from the ports; the queue-engine port re-exports it.
 */
export type LeaseLapse = 'reclaimed' | 'renewed_late' | 'lost';
