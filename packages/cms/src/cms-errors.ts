import { defineErrorCodes } from '@hookwork/core';

/**
 * @hookwork/cms's own error codes (documented in docs/errors.md under `@hookwork/cms`).
 * - HOOKWORK_ERR_INVALID_CMS_OPTIONS: `addCms()`, a CMS sub-builder, `cmsComposer()`,
 *   `getCmsPayloadSchema()` or a CMS event got an argument or payload type it does not know.
 */
export const CMS_ERRORS = defineErrorCodes('@hookwork/cms', {
  HOOKWORK_ERR_INVALID_CMS_OPTIONS: {
    summary: 'addCms(), a CMS sub-builder, cmsComposer() or a CMS event was given an argument or payload type it does not understand.',
    status: 500,
  },
});
