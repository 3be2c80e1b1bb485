/**
 * @hookwork/core/testing — helpers for testing with hookwork, and the contract suites every
 * storage backend runs. The `describe…Contract` functions call jest's globals (describe, it,
 * expect): call them from jest test files.
 */
export * from './contract-subject';
export * from './webhook-repository-contract';
export * from './request-queue-contract';
export * from './queue-engine-contract';
export * from './delivery-log-contract';
export * from './recording-transport';
export * from './capturing-storage';
export * from './test-receiver';
export * from './error-catalogue-contract';
export * from './worker-process';
export * from './report-line';
