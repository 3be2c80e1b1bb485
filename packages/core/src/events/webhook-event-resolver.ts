import type { DependencyContainer } from 'tsyringe';
import { HookworkError } from '../errors/hookwork-error';
import { foreignCoreOf, linkedPluginFolder, ownCoreRoot } from './core-copies';
import { valueKind } from '../model/plain-object';
import { eventClassName } from './event-class-name';
import { WebhookEventBase } from './webhook-event-base';
import { WebhookEventDependencies } from './webhook-event-dependencies';
import type { WebhookEventCatalogue, WebhookEventEntry } from './webhook-event-catalogue';

/**
 * Makes instances of one app's composed event classes the way a notification dispatch does:
 * resolved from the app's container (so injected host services are the app's own) with the
 * options the composing extension attached. Each app registers its own, so nothing is global;
 * the delivery engine uses it to build a test send's example payload from the real event.
 */
export class WebhookEventResolver {
  private ownDependencies: WebhookEventDependencies | undefined;

  constructor(
    private readonly container: DependencyContainer,
    private readonly catalogue: WebhookEventCatalogue,
  ) {}

  /**
   * A fresh instance of a composed entry, configured as for a dispatch.
   *
   * @throws HookworkError HOOKWORK_ERR_DUPLICATE_CORE when the class extends another copy of
   * @hookwork/core's WebhookEventBase; HOOKWORK_ERR_EVENT_NOT_RESOLVABLE when the container cannot build it,
   * or when its constructor did not pass the app's WebhookEventDependencies on to `super(deps)`.
   */
  instantiate(entry: WebhookEventEntry): WebhookEventBase {
    // A class built on another copy of core takes that copy's WebhookEventDependencies, which this
    // app's container does not know (or, with a second tsyringe, does not pass at all): refused
    // here, naming both copies, rather than as a missing service or a crash at the first publish.
    const foreign = foreignCoreOf(entry.type, WebhookEventBase);
    if (foreign !== undefined) {
      const linked = linkedPluginFolder(foreign);
      throw new HookworkError(
        'HOOKWORK_ERR_DUPLICATE_CORE',
        `${eventClassName(entry.type)} extends the WebhookEventBase of the @hookwork/core at ${foreign}, but this app runs the @hookwork/core at ${ownCoreRoot()}; one process needs one copy: declare @hookwork/core as a peerDependency (and devDependency) of the plugin instead of a dependency, then npm dedupe (npm ls @hookwork/core shows the copies)` +
          (linked === undefined
            ? ''
            : `. But the plugin at ${linked} is linked from a folder of its own (npm link, npm install ../plugin, a workspace), and that folder's node_modules holds its own copy (its devDependency), which npm dedupe does not touch: install the plugin as a packed tarball (npm pack in ${linked}, then npm install <the .tgz>), or delete ${foreign} while you work on it`),
      );
    }
    // Resolved per call, so event classes may depend on scoped or changing host services.
    let event: WebhookEventBase;
    try {
      event = this.container.resolve(entry.type as unknown as new () => WebhookEventBase);
    } catch (cause) {
      throw new HookworkError(
        'HOOKWORK_ERR_EVENT_NOT_RESOLVABLE',
        `cannot create ${eventClassName(entry.type)}: ${String((cause as Error)?.message ?? cause).replace(/\s+/g, " ")}. ${foreignInjectableHint(entry.type, cause) ?? ''}Register the services its constructor injects through builder.services in a composer, use @inject(Token) for services known by an interface, and import injected classes as values (not with \`import type\`) so their constructor metadata names them`,
        { cause },
      );
    }
    this.checkDependencies(event, entry);
    event.eventOptions = entry.options;
    return event;
  }

  /**
   * Refuses an event whose constructor did not hand this app's dependencies to WebhookEventBase:
   * `super(undefined as never)`, `super(cache as never)` or deps kept from another app. Such a
   * class was built, passed start() and failed every publish with "Cannot destructure property
   * 'settings' of 'this.deps'", or sent through another app's firing service.
   */
  private checkDependencies(event: WebhookEventBase, entry: WebhookEventEntry): void {
    this.ownDependencies ??= this.container.resolve(WebhookEventDependencies);
    const given: unknown = (event as unknown as { deps: unknown }).deps;
    if (given === this.ownDependencies) return;
    const what = given instanceof WebhookEventDependencies ? "another app's WebhookEventDependencies" : valueKind(given);
    throw new HookworkError(
      'HOOKWORK_ERR_EVENT_NOT_RESOLVABLE',
      `${eventClassName(entry.type)} passed ${what} to WebhookEventBase instead of the WebhookEventDependencies its constructor was given, so it cannot look webhooks up or enqueue; declare \`deps: WebhookEventDependencies\` as a constructor parameter and call super(deps) (constructor(deps: WebhookEventDependencies, private readonly cache: ContentCache) { super(deps); })`,
    );
  }

  /**
   * The composed event a webhook subscribed to `alias` fires from (an alias, a synonym or a
   * pattern's variant such as `collections.save.after.posts`), or undefined when none is composed.
   */
  resolve(alias: string): WebhookEventBase | undefined {
    const entry = this.catalogue.entryFor(alias);
    return entry ? this.instantiate(entry) : undefined;
  }
}

/**
 * What to say when tsyringe did not know a class that was nonetheless decorated: tsyringe's
 * `@injectable()` records a class in the tsyringe module it was imported from, so a plugin whose
 * own copy of tsyringe marked a service (`TypeInfo not known for "PriceFormatter"`) is told about
 * the second copy instead of being told to mark the class it already marked. A decorated class has
 * `design:paramtypes` (reflect-metadata is global, unlike tsyringe's record); it is looked for among
 * the constructor parameters of the event, and theirs, by the name tsyringe's message gives.
 */
function foreignInjectableHint(type: object, cause: unknown): string | undefined {
  const name = /TypeInfo not known for "([^"]+)"/.exec(String((cause as Error)?.message ?? ''))?.[1];
  if (name === undefined) return undefined;
  const seen = new Set<unknown>();
  const find = (ctor: unknown, depth: number): boolean => {
    if (typeof ctor !== 'function' || seen.has(ctor) || depth > 4) return false;
    seen.add(ctor);
    const params: unknown = Reflect.getMetadata('design:paramtypes', ctor);
    if (!Array.isArray(params)) return false;
    return params.some((param) => (typeof param === 'function' && param.name === name && Array.isArray(Reflect.getMetadata('design:paramtypes', param))) || find(param, depth + 1));
  };
  if (!find(type, 0)) return undefined;
  return `${name} is decorated (it has constructor metadata), so if it is marked @injectable() that came from another copy of tsyringe than @hookwork/core's, which keeps its own record of injectable classes (npm ls tsyringe shows the copies): import injectable and inject from @hookwork/core rather than from tsyringe, or npm dedupe. `;
}
