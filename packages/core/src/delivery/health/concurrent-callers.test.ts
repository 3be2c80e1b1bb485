import { describeConcurrentCallersContract } from '../../testing';
import { memoryStorage } from '../../storage/memory/memory-storage';

describeConcurrentCallersContract('memory', () => ({ subject: { storage: memoryStorage() } }));
