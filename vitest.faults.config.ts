import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault tests (issue 14) kill platform replicas and etcd members on purpose. They run
// one file at a time, apart from the unit and e2e suite, because each owns a 3-member etcd and two platforms
// and times its own hand-overs.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
    disableConsoleIntercept: true,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
