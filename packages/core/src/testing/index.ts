/**
 * @hookwork/core/testing — the contract suites every storage backend runs (jest), and the
 * helpers they are built on. Import it from test files only: it calls jest's globals.
 */
export * from './contract-subject';
export * from './webhook-repository-contract';
export * from './request-queue-contract';
export * from './delivery-log-contract';
export * from './recording-transport';
export * from './capturing-storage';
