import { inject, injectable } from 'tsyringe';
import { WebhookFiringService } from '../firing/webhook-firing-service';
import { LoggerToken, type Logger } from '../observability/logger';
import { ServerRoleAccessorToken, type ServerRoleAccessor } from '../runtime/server-role';
import { SettingsToken, type SettingsAccessor } from '../settings/settings';
import { WebhookService } from '../management/webhook-service';

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
    @inject(SettingsToken) readonly settings: SettingsAccessor,
    @inject(ServerRoleAccessorToken) readonly serverRoleAccessor: ServerRoleAccessor,
    readonly webhookService: WebhookService,
    readonly firingService: WebhookFiringService,
    @inject(LoggerToken) readonly logger: Logger,
  ) {}
}
