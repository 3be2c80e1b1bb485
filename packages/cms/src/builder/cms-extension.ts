import { CMS_ERRORS } from '../cms-errors';
import { assertSynchronousComposition, defineCollectionExtension, shownList, shownValue, unknownOption, valueKind, type PayloadType, type WebhookEventCollectionBuilder } from '@hookwork/core';
import { CmsEventsBuilder, assertPayloadType, payloadTypeGiven, payloadTypeName } from './cms-events-builder';

/** Options of one addCms() call. */
export interface CmsOptions {
  /**
   * The payload shape of the events this call adds, whatever the `payloadType` setting says.
   * Omitted: the setting decides when the event fires.
   */
  payloadType?: PayloadType;
  /** true: only Umbraco's 5 defaults (when no configure function is given). Default false. */
  onlyDefault?: boolean;
}

/** What configures the CMS events of one addCms() call. */
export type CmsConfigure = (cms: CmsEventsBuilder) => void;

declare module '@hookwork/core' {
  interface WebhookEventCollectionBuilder {
    /**
     * Adds CMS webhook events (contributed by @hookwork/cms; compose `cmsComposer()` first):
     * `addCms(true)` Umbraco's 5 defaults, `addCms()` / `addCms(false)` all 87,
     * `addCms(cms => cms.addContent().addMedia())` a selection, and
     * `addCms({ payloadType: 'Legacy' }, cms => …)` with a fixed payload shape.
     */
    addCms(onlyDefault?: boolean): this;
    addCms(configure: CmsConfigure): this;
    addCms(options: CmsOptions, configure?: CmsConfigure): this;
  }
}

/**
 * Refuses an argument addCms() would drop: only the options form takes a second one, and no form
 * a third. `addCms(cms => …, { payloadType: 'Legacy' })` used to add the events in the setting's
 * shape, and `addCms(true, cms => …)` every default but none the function picked.
 */
function refuseDroppedArguments(args: readonly unknown[]): void {
  const [first, second] = args;
  const optionsFirst = first !== null && typeof first === 'object' && !Array.isArray(first);
  if (args.length > 2 || (args.length === 2 && !optionsFirst && !(first === undefined && second === undefined))) {
    const given = shownList(args, { show: (arg) => (typeof arg === 'function' ? 'a function' : shownValue(arg)) });
    const fix =
      typeof first === 'function' && second !== null && typeof second === 'object'
        ? 'the options come first: addCms({ payloadType: \'Legacy\' }, cms => …)'
        : typeof first === 'boolean' && typeof second === 'function'
          ? `a configure function picks the events itself, so onlyDefault has nothing to do beside it: pass addCms(cms => …) (call cms.addDefault() in it for Umbraco's defaults), or addCms(${first}) alone`
          : 'pass addCms(onlyDefault), addCms(configure) or addCms(options, configure)';
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `addCms(${given}): ${args.length > 2 ? `takes at most two arguments, got ${args.length}` : 'only addCms(options, configure) takes a second argument'}, and it would be ignored; ${fix}. Nothing was added`);
  }
}

function addCms(this: WebhookEventCollectionBuilder, ...args: [first?: boolean | CmsConfigure | CmsOptions, second?: CmsConfigure]): WebhookEventCollectionBuilder {
  // Umbraco's AddCms(onlyDefault, payloadType): hookwork takes the payload type in the options.
  const payloadType = payloadTypeGiven(args.filter((arg) => typeof arg === 'string' || (typeof arg === 'number' && args.indexOf(arg) > 0)));
  if (payloadType !== undefined) {
    const name = payloadTypeName(payloadType);
    const onlyDefault = typeof args[0] === 'boolean' ? args[0] : false;
    throw CMS_ERRORS.create(
      'HOOKWORK_ERR_INVALID_CMS_OPTIONS',
      `addCms(${shownList(args, { show: (arg) => (typeof arg === 'function' ? 'a function' : shownValue(arg)) })}): the payload type goes in addCms()'s options (Umbraco's AddCms(onlyDefault, payloadType) takes it as an argument): ` +
        `addCms({ onlyDefault: ${onlyDefault}, payloadType: '${name}' }), or addCms({ payloadType: '${name}' }, cms => …). Nothing was added`,
    );
  }
  refuseDroppedArguments(args);
  const [first, second] = args;
  let options: CmsOptions = {};
  let configure: CmsConfigure | undefined;
  if (typeof first === 'function') configure = first;
  else if (typeof first === 'boolean' || first === undefined) options = { onlyDefault: first ?? false };
  else if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    // A misspelt option from plain JavaScript (payloadTyp) used to be ignored: every event, in the setting's shape.
    const unknown = unknownOption(first, ['payloadType', 'onlyDefault']);
    if (unknown) throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `addCms(options): ${unknown.text}`);
    if (first.onlyDefault !== undefined && typeof first.onlyDefault !== 'boolean') {
      throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `addCms({ onlyDefault }): onlyDefault must be true or false; got ${shownValue(first.onlyDefault)}`);
    }
    options = first;
    configure = second;
  } else {
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `addCms() takes onlyDefault (a boolean), a configure function, or options and a configure function; got ${Array.isArray(first) ? 'an array' : first === null ? 'null' : typeof first}`);
  }
  if (configure !== undefined && typeof configure !== 'function') {
    throw CMS_ERRORS.create('HOOKWORK_ERR_INVALID_CMS_OPTIONS', `addCms(options, configure): configure must be a function (cms => cms.addContent()); got ${valueKind(configure)}`);
  }
  if (options.payloadType !== undefined) assertPayloadType(options.payloadType, 'addCms()');
  const cms = new CmsEventsBuilder(this, options.payloadType);
  if (configure) assertSynchronousComposition(configure(cms), 'addCms(configure)');
  else if (options.onlyDefault) cms.addDefault();
  else cms.addAll();
  return this;
}

/**
 * The `addCms()` builder method. It exists on an app's builder only once {@link cmsComposer}
 * (or a composer of yours that installs this) has run; before that, calling it is
 * HOOKWORK_ERR_EXTENSION_NOT_COMPOSED naming this package.
 */
export const cmsExtension = defineCollectionExtension('@hookwork/cms', { addCms }, { composerHint: 'cmsComposer()' });
