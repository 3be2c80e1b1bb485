import { COCKPIT_ERRORS } from './cockpit-errors';
import { isPlainObject, objectKind, readOrRefuse, resolveToken, shownValue, unknownOption, type Composer } from '@hookwork/core';
import { COCKPIT_PACKAGE, attachCatalogue, attachedCatalogue, cockpitExtension } from './add-cockpit';
import { CockpitCatalogue, CockpitCatalogueToken, CockpitOptionsToken } from './cockpit-catalogue';

/** Options of {@link cockpitComposer}. */
export interface CockpitComposerOptions {
  /**
   * Default true: the REST API token and account secrets of `cockpit.api.authenticate` and the
   * account events, and the storage credentials of `cockpit.filestorages.init`, are sent as `[redacted]`. Cockpit itself
   * sends them in clear; set false only if a receiver relies on that.
   */
  redactCredentials?: boolean;
}

/**
 * The Cockpit plugin's composer: installs `addCockpit()` and `addCockpitEvents()` on the app's
 * builder and gives the app its own Cockpit catalogue. It adds no event by itself; list it
 * before the composer that calls addCockpit():
 *
 * ```ts
 * createHookwork({ composers: [cockpitComposer(), { compose: (b) => b.webhookEvents().addCockpit() }] });
 * ```
 */
export function cockpitComposer(options?: CockpitComposerOptions): Composer {
  // Read once: a getter or Proxy trap that throws is refused naming it, and the flag checked is the flag the app uses.
  options = readOrRefuse(options, (path, problem) => COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS', `cockpitComposer(options): ${path ? `options.${path}` : 'options'} ${problem}`), 1);
  if (options !== undefined && !isPlainObject(options)) {
    throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS', `cockpitComposer(options) takes an options object such as { redactCredentials: false }; got ${options !== null && typeof options === 'object' ? objectKind(options) : shownValue(options)}`);
  }
  const chosen = options ?? {};
  const unknown = unknownOption(chosen, ['redactCredentials']);
  if (unknown) throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS', `cockpitComposer(options): ${unknown.text}`);
  if (chosen.redactCredentials !== undefined && typeof chosen.redactCredentials !== 'boolean') {
    throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS', `cockpitComposer({ redactCredentials }) must be true or false; got ${shownValue(chosen.redactCredentials)}`);
  }
  return {
    name: COCKPIT_PACKAGE,
    extensions: [cockpitExtension],
    compose(builder) {
      const redactCredentials = chosen.redactCredentials ?? true;
      const collection = builder.webhookEvents();
      // Composed twice (the app lists it and so does a plugin's composer list): the first stays. A
      // second catalogue used to replace it, losing the events plugins had added between, and the
      // second's options silently decided whether account secrets are sent in clear.
      if (attachedCatalogue(collection)) {
        const first = resolveToken(builder.services, CockpitOptionsToken).redactCredentials;
        if (first !== redactCredentials) {
          throw COCKPIT_ERRORS.create('HOOKWORK_ERR_COCKPIT_INVALID_OPTIONS',
            `cockpitComposer() is composed twice in this app, first with { redactCredentials: ${String(first)} }, then with { redactCredentials: ${String(redactCredentials)} }, so which one applies would depend on the order; list cockpitComposer() once, with the options the app means`,
          );
        }
        return;
      }
      const catalogue = new CockpitCatalogue(builder.services);
      builder.services.registerInstance(CockpitCatalogueToken, catalogue);
      builder.services.registerInstance(CockpitOptionsToken, { redactCredentials });
      collection.install(cockpitExtension);
      attachCatalogue(collection, catalogue);
    },
  };
}
