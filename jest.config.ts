import type { Config } from 'jest';

/**
 * One jest run for every workspace. `@hookwork/*` resolves to each package's source, so a
 * test sees a change without a rebuild; tests that start child processes run the built output
 * (`npm test` runs `tsc -b` first).
 */
/** Dependencies published as ES modules only. */
const ESM_ONLY = ['cookie'];

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/plugins', '<rootDir>/examples', '<rootDir>/bench', '<rootDir>/test'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/package-install/host/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
    // Packages that ship ES modules only (Node >= 20.19 require()s them; jest's CommonJS runtime
    // cannot): compiled to CommonJS for the tests. cookie comes with Fastify's inject().
    [`/node_modules/(?:${ESM_ONLY.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(?:${ESM_ONLY.join('|')})/)`],
  moduleNameMapper: {
    '^@hookwork/core$': '<rootDir>/packages/core/src/index.ts',
    '^@hookwork/core/testing$': '<rootDir>/packages/core/src/testing/index.ts',
    '^@hookwork/cms$': '<rootDir>/packages/cms/src/index.ts',
    '^@hookwork/sqlite$': '<rootDir>/packages/sqlite/src/index.ts',
    '^@hookwork/admin$': '<rootDir>/packages/admin/src/index.ts',
    '^@hookwork/bullmq$': '<rootDir>/packages/bullmq/src/index.ts',
    '^@hookwork/postgres$': '<rootDir>/packages/postgres/src/index.ts',
    '^@hookwork/plugin-cockpit$': '<rootDir>/plugins/cockpit/src/index.ts',
    '^@hookwork/receiver$': '<rootDir>/packages/receiver/src/index.ts',
    '^@hookwork/receiver/express$': '<rootDir>/packages/receiver/src/adapters/express.ts',
    '^@hookwork/receiver/fastify$': '<rootDir>/packages/receiver/src/adapters/fastify.ts',
    '^@hookwork/receiver/testing$': '<rootDir>/packages/receiver/src/testing/index.ts',
  },
  setupFiles: ['reflect-metadata'],
  reporters: ['default', '<rootDir>/.ci/jest-summary-reporter.js'],
  testTimeout: 30_000,
  // No forceExit: on 2 cores the tests run inside jest's own process (in band), so a timer or
  // socket that a stopped app (or a test) leaves behind keeps jest from exiting — a bug to fix,
  // not to hide (log-cleanup.test.ts has the one that did).
};

export default config;
