import { createToken } from '../runtime/tokens';
import type { LifecycleEmitter } from './lifecycle-events';

/** Injection token of the app's lifecycle emitter. */
export const LifecycleToken = createToken<LifecycleEmitter>('hookwork.Lifecycle');
