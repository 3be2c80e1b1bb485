/**
 * A notification class: what a host publishes ("content published"). Any class works;
 * the bus routes by the exact class of the published object (an event composed for a class does
 * not fire for a subclass's instances; publish() warns once when one is published).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NotificationType<N extends object = object> = abstract new (...args: any[]) => N;
