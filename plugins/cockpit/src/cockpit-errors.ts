import { defineErrorCodes } from '@hookwork/core';

/** @hookwork/plugin-cockpit's own error codes (documented in docs/errors.md under `@hookwork/plugin-cockpit`). */
export const COCKPIT_ERRORS = defineErrorCodes('@hookwork/plugin-cockpit', {
  HOOKWORK_ERR_COCKPIT_UNKNOWN_EVENT: {
    summary: 'A Cockpit host triggered an event name that no Cockpit event (built-in or added by a plugin) has.',
    status: 400,
  },
  HOOKWORK_ERR_COCKPIT_INVALID_TRIGGER: {
    summary: 'A Cockpit trigger got bad options (backend flag, arguments) or a name-spaced event name instead of the plain one.',
    status: 400,
  },
  HOOKWORK_ERR_COCKPIT_INVALID_REPLACEMENT: {
    summary: "The class an app composed for a Cockpit event does not extend that event's class, or extends it under another alias, so the Cockpit trigger could not reach it.",
    status: 500,
  },
  HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS: {
    summary: 'cockpitComposer() was given an option it does not know or of the wrong kind, or was composed twice in one app with different options.',
    status: 500,
  },
});
