import { HookworkError, shownValue } from '../errors/hookwork-error';
import type { WebhookEventCollectionBuilder } from './webhook-event-collection-builder';

/** A builder method contributed by a package: `this` is the app's collection builder. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CollectionExtensionMethod = (this: WebhookEventCollectionBuilder, ...args: any[]) => WebhookEventCollectionBuilder;

/**
 * Builder methods a package contributes to `webhookEvents()` — the TypeScript analogue of C#
 * extension methods such as Umbraco's `AddCms`. Types come from module augmentation; the
 * methods come at run time when the package's composer installs them on the app's builder:
 *
 * ```ts
 * declare module '@hookwork/core' {
 *   interface WebhookEventCollectionBuilder { addCommerce(): this }
 * }
 * export const commerceExtension = defineCollectionExtension('@acme/commerce', {
 *   addCommerce() { return this.add(OrderPlacedWebhookEvent); },
 * });
 * export const commerceComposer = (): Composer => ({
 *   name: '@acme/commerce',
 *   extensions: [commerceExtension],
 *   compose: (builder) => builder.webhookEvents().install(commerceExtension),
 * });
 * ```
 */
export interface CollectionExtension {
  /** The npm package that contributes the methods; named by errors. */
  readonly packageName: string;
  /** How an app composes the package, for error messages (e.g. "cmsComposer()"). */
  readonly composerHint?: string;
  /** The methods, by name: each becomes `builder.webhookEvents().<name>(…)` once the package is composed. */
  readonly methods: Readonly<Record<string, CollectionExtensionMethod>>;
}

/** How an extension method is named: the app's builder answers a missing `add…` method with the composer it lacks. */
const METHOD_NAME = /^add[A-Z][A-Za-z0-9]*$/;

/**
 * Who declared each extension method in this process (by method name): the package and how an
 * app composes it. Names only, read by one error message — an app that calls `addCommerce()`
 * without composing the package is told which package and composer it lacks, which its own
 * builder cannot know. It installs nothing: each app still has only the methods its own
 * composers install, and two apps do not see each other's.
 */
/**
 * The collection builder's own members (`addWithOptions`), set by its module when it loads: a method
 * of that name was refused only when an app's composer installed it, not when the package declared it.
 */
const builderMembers = new Set<string>();

/** @internal the builder's module names its members, which no extension may take. */
export function reserveBuilderMembers(names: Iterable<string>): void {
  for (const name of names) builderMembers.add(name);
}

const declarations = new Map<string, { packageName: string; composerHint?: string }[]>();

/**
 * The packages whose loaded modules declared `method` with {@link defineCollectionExtension}, in
 * the order they were declared (empty when none is loaded: a package imported for its types only).
 * @internal
 */
export function declaredExtensionOwners(method: string): readonly { packageName: string; composerHint?: string }[] {
  return declarations.get(method) ?? [];
}

/**
 * Declares a package's collection builder methods (see {@link CollectionExtension}). Each is
 * named `add` and a capital (`addCommerce`): an app that calls one without composing the
 * package gets HOOKWORK_ERR_EXTENSION_NOT_COMPOSED naming the composer, not "is not a function".
 *
 * @throws HookworkError HOOKWORK_ERR_INVALID_ARGUMENT, when the package's module loads, for an
 * empty package name, a method that is not a function or a name not of the form `addSomething`;
 * HOOKWORK_ERR_EXTENSION_CONFLICT for a name the collection builder has itself (`addWithOptions`).
 */
export function defineCollectionExtension(
  packageName: string,
  methods: Record<string, CollectionExtensionMethod>,
  options: { composerHint?: string } = {},
): CollectionExtension {
  checkExtension(packageName, methods, `defineCollectionExtension(${shownValue(packageName)})`);
  for (const name of Object.keys(methods)) {
    if (builderMembers.has(name)) throw builderMemberConflict(packageName, name);
  }
  for (const name of Object.keys(methods)) {
    const owners = declarations.get(name) ?? [];
    if (!owners.some((owner) => owner.packageName === packageName)) declarations.set(name, [...owners, { packageName, ...(options.composerHint !== undefined ? { composerHint: options.composerHint } : {}) }]);
  }
  return Object.freeze({ packageName, composerHint: options.composerHint, methods: Object.freeze({ ...methods }) });
}

/** @internal the error for an extension method named as a member of the collection builder. */
export function builderMemberConflict(packageName: string, method: string): HookworkError {
  return new HookworkError('HOOKWORK_ERR_EXTENSION_CONFLICT', `${packageName} cannot contribute webhookEvents().${method}(): the collection builder already has a member of that name; rename the extension method after your package (e.g. addCommerce)`);
}

/**
 * The checks of {@link defineCollectionExtension}, also made by `install()`: an extension written
 * as an object literal (`install({ methods: { foo() {…} } })`) skipped them, installed `foo`
 * under no package, and one whose method was no function failed when called with
 * "implementation.apply is not a function".
 * @internal
 */
export function checkExtension(packageName: unknown, methods: unknown, where: string): void {
  const invalid = (problem: string) => new HookworkError('HOOKWORK_ERR_INVALID_ARGUMENT', `${where}: ${problem}`);
  if (typeof packageName !== 'string' || packageName.trim() === '') throw invalid('the package name must be your npm package\'s name, e.g. "@acme/commerce" (errors name it)');
  if (methods === null || typeof methods !== 'object' || Array.isArray(methods)) {
    throw invalid(`takes the methods as an object, e.g. { addCommerce() { return this.add(OrderPlacedWebhookEvent); } }; got ${shownValue(methods)}`);
  }
  for (const [name, method] of Object.entries(methods)) {
    if (!METHOD_NAME.test(name)) {
      const rest = name.replace(/^[a-z_$]+/, '');
      throw invalid(`${name} is not named add… (e.g. ${/^[A-Z]/.test(rest) ? `add${rest}` : 'addCommerce'}); name extension methods add followed by a capital, so an app that calls one without composing your package is told which composer it lacks`);
    }
    if (typeof method !== 'function') throw invalid(`${name} must be a function (this: WebhookEventCollectionBuilder, …) returning this; got ${shownValue(method)}`);
  }
}
