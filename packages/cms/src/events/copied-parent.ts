import { HookworkError } from '@hookwork/core';

/**
 * The key of a copy's parent, which Umbraco's Minimal Copied bodies send (`Parent = ParentKey`):
 * `parentKey`, else `parentId` when that is a key; null at the root. A numeric `parentId` is
 * Umbraco's int ParentId, which has no key to send: the host gives `parentKey` beside it.
 */
export function copiedParentKey(notification: { parentId?: string | number | null; parentKey?: string | null }): string | null {
  if (notification.parentKey !== undefined && notification.parentKey !== null) return notification.parentKey;
  const { parentId } = notification;
  if (parentId === undefined || parentId === null || typeof parentId === 'string') return parentId ?? null;
  throw new HookworkError('HOOKWORK_ERR_INVALID_NOTIFICATION', `the payload's "parent" is the parent's key, and parentId ${parentId} is Umbraco's numeric id: give the key as parentKey beside it`);
}
