import { createToken } from './tokens';

/** The source of "now". Tests inject a fixed or stepping clock to check stored due times. */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** Injection token of the app's {@link Clock}. */
export const ClockToken = createToken<Clock>('hookwork.Clock');

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });
