import type { Composer } from '@hookwork/core';
import { COMMERCE_PACKAGE, commerceExtension } from './add-commerce';

/**
 * The commerce plugin's composer: installs `addCommerce()` on the app's builder and adds no
 * event by itself — the app decides. List it before the composer that calls addCommerce():
 *
 * ```ts
 * createHookwork({ composers: [cmsComposer(), commerceComposer(), AppComposer] });
 * ```
 */
export function commerceComposer(): Composer {
  return {
    name: COMMERCE_PACKAGE,
    // Declared so that an app calling addCommerce() too early gets an error naming this package.
    extensions: [commerceExtension],
    compose: (builder) => {
      builder.webhookEvents().install(commerceExtension);
    },
  };
}
