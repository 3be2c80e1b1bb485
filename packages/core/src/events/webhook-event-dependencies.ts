import { inject, injectable } from 'tsyringe';
import { WebhookFiringService } from '../firing/webhook-firing-service';
import { LoggerToken, type Logger } from '../observability/logger';
import { ServerRoleAccessorToken, type ServerRoleAccessor } from '../runtime/server-role';
import { SettingsToken, type SettingsAccessor } from '../settings/settings';
import { SubscribedWebhooks } from './subscribed-webhooks';

/**
 * Everything WebhookEventBase needs, in one injectable object, so an event class that injects
 * its own services writes one extra constructor parameter:
 *
 * ```ts
 * constructor(deps: WebhookEventDependencies, private readonly cache: ContentCache) { super(deps); }
 * ```
 */
@injectable()
export class WebhookEventDependencies {
  constructor(
    /** The app's settings (read `current` each time). */
    @inject(SettingsToken) readonly settings: SettingsAccessor,
    /** This process's role: only `Single` and `SchedulingPublisher` fire. */
    @inject(ServerRoleAccessorToken) readonly serverRoleAccessor: ServerRoleAccessor,
    /** Looks up the webhooks subscribed to an alias (an index lookup), as secret-free `WebhookInfo`s. */
    readonly webhooks: SubscribedWebhooks,
    /** Serialises payloads and enqueues the requests. */
    readonly firingService: WebhookFiringService,
    /** The app's logger. */
    @inject(LoggerToken) readonly logger: Logger,
  ) {}
}
