import type { Config } from 'jest';

/**
 * One jest run for every workspace. `@hookwork/*` resolves to each package's source, so a
 * test sees a change without a rebuild; tests that start child processes run the built output
 * (`npm test` runs `tsc -b` first).
 */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/plugins', '<rootDir>/examples', '<rootDir>/bench', '<rootDir>/test'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/package-install/host/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: {
    '^@hookwork/core$': '<rootDir>/packages/core/src/index.ts',
    '^@hookwork/core/testing$': '<rootDir>/packages/core/src/testing/index.ts',
    '^@hookwork/cms$': '<rootDir>/packages/cms/src/index.ts',
    '^@hookwork/sqlite$': '<rootDir>/packages/sqlite/src/index.ts',
    '^@hookwork/bullmq$': '<rootDir>/packages/bullmq/src/index.ts',
    '^@hookwork/plugin-cockpit$': '<rootDir>/plugins/cockpit/src/index.ts',
  },
  setupFiles: ['reflect-metadata'],
  reporters: ['default', '<rootDir>/.ci/jest-summary-reporter.js'],
  testTimeout: 30_000,
};

export default config;
