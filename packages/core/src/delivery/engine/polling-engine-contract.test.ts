import { memoryStorage } from '../../storage/memory/memory-storage';
import { describeQueueEngineContract, queueEngineHarness } from '../../testing';
import { pollingQueue } from './polling-engine';

describeQueueEngineContract('polling(memory)', () => queueEngineHarness(pollingQueue(), memoryStorage()));
