/// <reference types="reflect-metadata" />
import { HookworkError } from '../errors/hookwork-error';
import { eventClassName } from '../events/event-class-name';
import type { WebhookEventEntry } from '../events/webhook-event-catalogue';
import { usedStandardDecorators } from '../events/webhook-event.decorator';

const PARAMTYPES = 'design:paramtypes';

/**
 * An undecorated class between `type` and the class whose recorded parameter types tsyringe
 * will read, declaring a constructor that takes more parameters than those name; undefined when
 * there is none. TypeScript records parameter types only for decorated classes, so
 * `class PricedEvent extends PricedEventBase` (no constructor of its own) under an undecorated
 * `PricedEventBase(deps, formatter)` would be built with WebhookEventBase's one parameter and
 * get `undefined` for the formatter. A derived class without a constructor has length 0, so the
 * first class up the chain with a length > 0 is the one whose constructor runs first.
 */
function hiddenConstructor(type: Function): { owner: Function; takes: number; source: Function; recorded: number } | undefined {
  let owner: Function | undefined;
  for (let current: Function | null = type; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current) as Function | null) {
    const recorded = Reflect.getOwnMetadata(PARAMTYPES, current) as unknown[] | undefined;
    if (recorded !== undefined) {
      return owner !== undefined && owner !== type && owner.length > recorded.length ? { owner, takes: owner.length, source: current, recorded: recorded.length } : undefined;
    }
    if (owner === undefined && current.length > 0) owner = current;
  }
  return undefined;
}

/**
 * Refuses composed event classes whose constructor parameters tsyringe cannot see: compiled
 * without `experimentalDecorators` (TypeScript's standard decorators emit no parameter types) or
 * without `emitDecoratorMetadata`, or inheriting the constructor of an undecorated base class
 * that injects more than the types recorded further up name. Such a class compiles and starts,
 * then gets `undefined` for injected services and fails each publish with a TypeError; this
 * names the fix.
 */
export function checkDecoratorMetadata(entries: readonly WebhookEventEntry[]): void {
  const types = entries.map((e) => e.type);
  const missing = types.filter((type) => usedStandardDecorators(type) || (type.length > 0 && Reflect.getOwnMetadata(PARAMTYPES, type) === undefined));
  if (missing.length > 0) {
    throw new HookworkError(
      'HOOKWORK_ERR_DECORATOR_METADATA_MISSING',
      `${missing.map((t) => eventClassName(t)).join(', ')} ${missing.length > 1 ? 'were' : 'was'} compiled without decorator metadata, so the services ${missing.length > 1 ? 'their constructors inject' : 'its constructor injects'} cannot be provided; set "experimentalDecorators": true and "emitDecoratorMetadata": true in the tsconfig.json that compiles ${missing.length > 1 ? 'them' : 'it'} (see docs/host-setup.md)`,
    );
  }
  for (const type of types) {
    const hidden = hiddenConstructor(type);
    if (!hidden) continue;
    const { owner, takes, source, recorded } = hidden;
    throw new HookworkError(
      'HOOKWORK_ERR_DECORATOR_METADATA_MISSING',
      `${eventClassName(type)} inherits the constructor of ${owner.name}, which takes ${takes} parameters, but ${owner.name} is not decorated, so TypeScript recorded no parameter types for it and only ${source.name}'s ${recorded} would be injected; give ${eventClassName(type)} a constructor that declares the same parameters with their types and passes them to super(…)`,
    );
  }
}
