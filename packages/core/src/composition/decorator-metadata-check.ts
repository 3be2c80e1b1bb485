/// <reference types="reflect-metadata" />
import { HookworkError } from '../errors/hookwork-error';
import type { WebhookEventEntry } from '../events/webhook-event-catalogue';
import { usedStandardDecorators } from '../events/webhook-event.decorator';

/**
 * Refuses composed event classes whose constructor parameters tsyringe cannot see: compiled
 * without `experimentalDecorators` (TypeScript's standard decorators emit no parameter types) or
 * without `emitDecoratorMetadata`. Such a class compiles and starts, then gets `undefined` for
 * every injected service and fails each publish with a TypeError; this names the two flags.
 */
export function checkDecoratorMetadata(entries: readonly WebhookEventEntry[]): void {
  const missing = entries.map((e) => e.type).filter((type) => usedStandardDecorators(type) || (type.length > 0 && Reflect.getOwnMetadata('design:paramtypes', type) === undefined));
  if (missing.length === 0) return;
  throw new HookworkError(
    'HOOKWORK_ERR_DECORATOR_METADATA_MISSING',
    `${missing.map((t) => t.name).join(', ')} ${missing.length > 1 ? 'were' : 'was'} compiled without decorator metadata, so the services ${missing.length > 1 ? 'their constructors inject' : 'its constructor injects'} cannot be provided; set "experimentalDecorators": true and "emitDecoratorMetadata": true in the tsconfig.json that compiles ${missing.length > 1 ? 'them' : 'it'} (see docs/host-setup.md)`,
  );
}
