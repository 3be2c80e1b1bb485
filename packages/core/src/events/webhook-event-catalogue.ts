import { aliasPatternMatcher, commonPatternVariant, getWebhookEventMetadata, type WebhookEventMetadata } from './webhook-event.decorator';
import { HookworkError } from '../errors/hookwork-error';
import { quoted } from '../errors/visible-text';
import { eventClassName, SAME_NAME_HINT } from './event-class-name';
import type { WebhookEventOptionsBag } from './webhook-event-base';
import type { WebhookEventClass } from './webhook-event.decorator';

/** A composed event class and the options its extension attached (see WebhookEventCollectionBuilder.addWithOptions). */
export interface WebhookEventEntry {
  /** The composed event class. */
  readonly type: WebhookEventClass;
  /** The options its extension attached (e.g. a Cockpit collection name). */
  readonly options: WebhookEventOptionsBag;
}

/** One composed event, as the catalogue lists it (for an editor's event picker). */
export interface WebhookEventDescriptor {
  /** The alias webhooks subscribe to and the event header carries. */
  alias: string;
  /** The display name (`Content Published`). */
  eventName: string;
  /** The group (`Content`, `Media`, `Member`, `Other`, or a plugin's own). */
  eventType: string;
  /** Other accepted spellings of the alias. */
  synonyms: readonly string[];
  /** Name-spaced variants (`collections.save.after.*`). */
  patterns: readonly string[];
}

/** How `entry` holds `alias`: as its alias or as a synonym. */
const holds = (entry: WebhookEventEntry, alias: string) => (getWebhookEventMetadata(entry.type)!.alias === alias ? 'alias' : 'synonym');

/**
 * Two composed events holding one alias (as an alias or a synonym), named so the two can be told
 * apart: two different classes of one name are most often two copies of one module, for which
 * "replace(X, X)" was no fix; and one that holds it as a synonym is said to.
 */
function duplicateAlias(first: WebhookEventEntry, second: WebhookEventEntry, alias: string, originOf: (type: WebhookEventClass) => string | undefined): HookworkError {
  const [a, b] = [eventClassName(first.type), eventClassName(second.type)];
  const [asFirst, asSecond] = [holds(first, alias), holds(second, alias)];
  const asAliases = asFirst === 'alias' && asSecond === 'alias';
  const both = `both declare ${asAliases ? 'the alias ' : ''}${quoted(alias)}`;
  // Who added each: two plugins for one CMS may declare one alias, and the host must learn which.
  const [fromFirst, fromSecond] = [originOf(first.type), originOf(second.type)];
  const origins = fromFirst !== undefined && fromSecond !== undefined && fromFirst !== fromSecond ? { first: fromFirst, second: fromSecond } : undefined;
  if (first.type.name !== '' && first.type.name === second.type.name) {
    if (origins) {
      return new HookworkError(
        'HOOKWORK_ERR_DUPLICATE_ALIAS',
        `two different classes named ${a} ${both}, and a webhook could not tell them apart: one added by ${origins.first}, the other by ${origins.second}. If two packages declare it, compose only one of them (or have one give its event another alias); if it is one package, ${SAME_NAME_HINT}`,
      );
    }
    return new HookworkError(
      'HOOKWORK_ERR_DUPLICATE_ALIAS',
      `two different classes named ${a} ${both}, and a webhook could not tell them apart. Most likely ${SAME_NAME_HINT}. If they are two events, give one another alias`,
    );
  }
  const how = asAliases ? '' : ` (${b} as its ${asSecond}, ${a} as its ${asFirst})`;
  return new HookworkError(
    'HOOKWORK_ERR_DUPLICATE_ALIAS',
    `${b} and ${a} ${both}${how}; a webhook could not tell them apart. Use replace(${a}, ${b}) to swap one for the other, or give one another alias${origins ? `. ${a} was added by ${origins.first}, ${b} by ${origins.second}` : ''}`,
  );
}

/**
 * The composed events of one app, frozen: listing in collection order, the check that a
 * webhook's event aliases are known (aliases, synonyms and patterns), and the entry that owns
 * an alias.
 */
export class WebhookEventCatalogue {
  private readonly descriptors: readonly WebhookEventDescriptor[];
  private readonly exact = new Map<string, WebhookEventEntry>();
  private readonly matchers: { matches: (alias: string) => boolean; entry: WebhookEventEntry; pattern: string }[] = [];

  /** @param originOf who added each class (the composer, and the extension method it went through), for HOOKWORK_ERR_DUPLICATE_ALIAS. */
  constructor(entries: readonly WebhookEventEntry[], originOf: (type: WebhookEventClass) => string | undefined = () => undefined) {
    const owners = new Map<string, WebhookEventEntry>();
    // By the alias in lower case: two events whose aliases differ only in case (`shop.order`,
    // `Shop.Order`) each took the other's subscriber after one slip of the shift key, and in
    // Umbraco, whose database compares aliases without case, a webhook got both.
    const caseless = new Map<string, { entry: WebhookEventEntry; alias: string }>();
    const descriptors: WebhookEventDescriptor[] = [];
    for (const entry of entries) {
      const { type } = entry;
      const metadata = getWebhookEventMetadata(type) as WebhookEventMetadata;
      for (const alias of [metadata.alias, ...metadata.synonyms]) {
        const owner = owners.get(alias);
        if (owner !== undefined) throw duplicateAlias(owner, entry, alias, originOf);
        const near = caseless.get(alias.toLowerCase());
        if (near !== undefined && near.entry !== entry) {
          throw new HookworkError(
            'HOOKWORK_ERR_DUPLICATE_ALIAS',
            `${eventClassName(type)} declares ${quoted(alias)} and ${eventClassName(near.entry.type)} ${quoted(near.alias)}: they differ only in case, so a webhook subscribed with the wrong case gets the other event without a word (and Umbraco, comparing without case, would send both). Give one an alias that differs in more than case, or compose only one of them`,
          );
        }
        owners.set(alias, entry);
        caseless.set(alias.toLowerCase(), { entry, alias });
        this.exact.set(alias, entry);
      }
      for (const pattern of metadata.patterns) this.matchers.push({ matches: aliasPatternMatcher(pattern), entry, pattern });
      descriptors.push(
        Object.freeze({
          alias: metadata.alias,
          eventName: metadata.eventName,
          eventType: metadata.eventType,
          synonyms: metadata.synonyms,
          patterns: metadata.patterns,
        }),
      );
    }
    this.descriptors = Object.freeze(descriptors);
    this.refuseSharedVariants();
  }

  /**
   * Refuses an alias two events can fire under through a pattern: one event's alias (or synonym)
   * that is a variant of another's pattern, or two events' patterns with a variant in common. A
   * webhook subscribed to it got both events' requests under one alias, which DUPLICATE_ALIAS
   * refuses for two exact aliases, and its catalogue entry named only one of them.
   */
  private refuseSharedVariants(): void {
    const typeName = (entry: WebhookEventEntry) => eventClassName(entry.type);
    for (const [index, { matches, entry, pattern }] of this.matchers.entries()) {
      for (const [alias, aliasEntry] of this.exact) {
        if (aliasEntry === entry || !matches(alias)) continue;
        const owner = typeName(aliasEntry);
        throw new HookworkError(
          'HOOKWORK_ERR_DUPLICATE_ALIAS',
          `${owner} declares the alias "${alias}", which is a variant of the pattern "${pattern}" of ${typeName(entry)}: a webhook subscribed to it would get both events' requests under one alias. Give ${owner} an alias outside "${pattern}", narrow the pattern, or compose only one of them`,
        );
      }
      for (const other of this.matchers.slice(index + 1)) {
        if (other.entry === entry) continue;
        const shared = commonPatternVariant(pattern, other.pattern);
        if (shared === undefined) continue;
        throw new HookworkError(
          'HOOKWORK_ERR_DUPLICATE_ALIAS',
          `the pattern "${other.pattern}" of ${typeName(other.entry)} and the pattern "${pattern}" of ${typeName(entry)} have variants in common (such as "${shared}"): a webhook subscribed to one would get both events' requests under one alias. Make the patterns' fixed parts differ, or compose only one of them`,
        );
      }
    }
  }

  /** Every composed event in collection order. */
  list(): readonly WebhookEventDescriptor[] {
    return this.descriptors;
  }

  /** True when a webhook may subscribe to `alias` (an alias, a synonym or a pattern's variant). */
  isKnown(alias: string): boolean {
    return this.entryFor(alias) !== undefined;
  }

  /**
   * The composed entry a webhook subscribed to `alias` fires from: the event declaring it as
   * its alias or a synonym, else the first (in collection order) whose pattern matches it.
   */
  entryFor(alias: string): WebhookEventEntry | undefined {
    return this.exact.get(alias) ?? this.matchers.find(({ matches }) => matches(alias))?.entry;
  }
}
