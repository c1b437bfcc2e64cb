import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault tests kill platform replicas and etcd members on purpose: their own script (npm run test:faults).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e files each start their own server; two cores leave room for two at a time.
    maxWorkers: 2,
    disableConsoleIntercept: true,
    reporters: ['default', './test/summary-reporter.ts'],
    // Starts one etcd when the suite runs on etcd (KPLANE_TEST_STORAGE=etcd); nothing otherwise.
    globalSetup: ['./test/e2e/helpers/etcd-global-setup.ts'],
  },
});
