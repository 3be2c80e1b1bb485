import type { Webhook } from '../model/webhook';
import type { ListPosition } from '../model/page';
import type { WebhookRepository } from '../ports/webhook-repository';

/** The page a walk reads (one no store cuts shorter: 500 of 1000 at most). */
const WALK_PAGE = 500;

/**
 * Every stored webhook, in creation order, a page at a time: by position when the store pages by
 * position ({@link WebhookRepository.listPage}), so a webhook created or deleted during the walk
 * never makes it visit another twice or pass one stored throughout (an offset walk missed one for
 * each deleted before it: a redelivery of every dead letter left that webhook's out). A store
 * without it is walked by offset, as it pages.
 */
export async function* webhookPages(repository: Pick<WebhookRepository, 'list' | 'listPage'>): AsyncGenerator<Webhook[]> {
  if (repository.listPage) {
    let afterPosition: ListPosition | undefined;
    for (;;) {
      const page = await repository.listPage({ limit: WALK_PAGE, ...(afterPosition ? { afterPosition } : {}) });
      if (page.items.length > 0) yield page.items;
      if (!page.nextPosition) return;
      afterPosition = page.nextPosition;
    }
  }
  for (let offset = 0; ; offset += WALK_PAGE) {
    const page = await repository.list({ limit: WALK_PAGE, offset });
    if (page.length > 0) yield page;
    if (page.length < WALK_PAGE) return;
  }
}
