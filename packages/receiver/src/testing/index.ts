/**
 * @hookwork/receiver/testing — the contract suite every `DedupeStore` runs. It calls jest's
 * globals (describe, it, expect): call it from jest test files.
 */
export * from './dedupe-store-contract';
