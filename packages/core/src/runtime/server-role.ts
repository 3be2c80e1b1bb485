import { createToken } from './tokens';

/**
 * The role of this process in a load-balanced setup, as in Umbraco. Only `Single` and
 * `SchedulingPublisher` fire webhooks, so a notification raised on every server of a
 * cluster is sent once.
 */
export type ServerRole = 'Single' | 'SchedulingPublisher' | 'Subscriber' | 'Unknown';

/** Every {@link ServerRole}, for checking a host's accessor. */
export const SERVER_ROLES: readonly ServerRole[] = ['Single', 'SchedulingPublisher', 'Subscriber', 'Unknown'];

/** Tells the role of this process. Hosts replace it (e.g. from their cluster config). */
export interface ServerRoleAccessor {
  /** The role now; read at each publish, so it may change at run time. */
  readonly currentServerRole: ServerRole;
}

/** Injection token of the {@link ServerRoleAccessor}. */
export const ServerRoleAccessorToken = createToken<ServerRoleAccessor>('hookwork.ServerRoleAccessor');

/** A fixed role; the default is `Single`. */
export function fixedServerRole(role: ServerRole = 'Single'): ServerRoleAccessor {
  return { currentServerRole: role };
}
