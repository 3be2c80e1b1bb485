import { CMS_ERRORS } from './cms-errors';
import { readOrRefuse, shownValue, unknownOption, type Composer } from '@hookwork/core';
import { assertPayloadType } from './builder/cms-events-builder';
import { cmsExtension, type CmsConfigure, type CmsOptions } from './builder/cms-extension';

/** Options of {@link cmsComposer}. */
export interface CmsComposerOptions {
  /** The payload shape of the events the composer adds (default: the `payloadType` setting). */
  payloadType?: CmsOptions['payloadType'];
  /**
   * Which events the composer adds: Umbraco's 5 defaults (`'default'`, the default), all 87
   * (`'all'`), none (`'none'`), or your own selection.
   */
  events?: 'default' | 'all' | 'none' | CmsConfigure;
}

/**
 * The @hookwork/cms composer. List it before your own composers: it installs `addCms()` on the
 * app's builder and adds Umbraco's 5 default events (as Umbraco's core does), so a composer
 * listed after it may `clear()`, `remove()`, `replace()` or `addCms(…)` more.
 *
 * ```ts
 * createHookwork({ composers: [cmsComposer(), MyComposer] });
 * ```
 */
export function cmsComposer(options?: CmsComposerOptions): Composer {
  // Read once: a getter or Proxy trap that throws is refused naming it, and the payloadType checked is the one composed.
  options = readOrRefuse(options, (path, problem) => CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `cmsComposer(options): ${path ? `options.${path}` : 'options'} ${problem}`), 1);
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `cmsComposer(options) takes an options object such as { events: 'all' }; got ${shownValue(options)}`);
  }
  const chosen = options ?? {};
  // A misspelt option from plain JavaScript (payloadTyp, event) used to be ignored.
  const unknown = unknownOption(chosen, ['payloadType', 'events']);
  if (unknown) throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `cmsComposer(options): ${unknown.text}`);
  const events = chosen.events ?? 'default';
  if (!(['default', 'all', 'none'].includes(events as string) || typeof events === 'function')) {
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `cmsComposer({ events }): events must be 'default', 'all', 'none' or a configure function; got ${shownValue(events)}`);
  }
  if (chosen.payloadType !== undefined) assertPayloadType(chosen.payloadType, 'cmsComposer()');
  return {
    name: '@hookwork/cms',
    extensions: [cmsExtension],
    compose(builder) {
      const collection = builder.webhookEvents().install(cmsExtension);
      if (events === 'none') return;
      const cmsOptions: CmsOptions = chosen.payloadType === undefined ? {} : { payloadType: chosen.payloadType };
      if (typeof events === 'function') collection.addCms(cmsOptions, events);
      else collection.addCms({ ...cmsOptions, onlyDefault: events === 'default' });
    },
  };
}
