import { quoted } from '../errors/visible-text';
import { getWebhookEventMetadata } from './webhook-event.decorator';

/**
 * An event class as messages name it: its class name; for an anonymous class (`add(class extends
 * WebhookEventBase {})` after decoration), its display name and alias. Never its source text,
 * which `String(type)` gave: a whole class body inside one line of an error.
 */
export function eventClassName(type: unknown): string {
  if (typeof type !== 'function') return String(type);
  if (type.name) return type.name;
  const metadata = getWebhookEventMetadata(type);
  return metadata ? `the anonymous event class ${quoted(metadata.eventName)} (alias ${metadata.alias})` : 'an anonymous class';
}

/**
 * Why two different classes of one name meet: most often two copies of the module declaring
 * them (a plugin installed twice, or one module loaded both as ESM and as CommonJS). Each copy's
 * class is a class of its own, so `replace()`, `remove()` and `has()`, which go by class, do not
 * find the other; a message naming both by name alone read `replace(X, X)`.
 */
export const SAME_NAME_HINT =
  'two copies of the module that declares it are loaded (a package installed twice: `npm ls <package>` shows the copies and `npm dedupe` merges them; or one module loaded both as ESM and as CommonJS): import the class from one place';
