import { describe, expect, it } from 'vitest';
import { rolloutStrategy } from './deploy.js';

describe('rolloutStrategy', () => {
  it("turns the flags into OCM's rolloutStrategy", () => {
    expect(rolloutStrategy(undefined, undefined)).toEqual({ type: 'All' });
    expect(rolloutStrategy('all', undefined)).toEqual({ type: 'All' });
    expect(rolloutStrategy('progressive', 2)).toEqual({
      type: 'Progressive',
      progressive: { maxConcurrency: 2 },
    });
    expect(rolloutStrategy('progressive-per-group', undefined)).toEqual({
      type: 'ProgressivePerGroup',
      progressivePerGroup: {},
    });
  });

  it('refuses a concurrency without a progressive rollout, or below 1, with a usage error', () => {
    expect(() => rolloutStrategy(undefined, 2)).toThrow('--max-concurrency needs --rollout progressive');
    expect(() => rolloutStrategy('progressive', 0)).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => rolloutStrategy('progressive-per-group', 2)).toThrow(
      '--max-concurrency needs --rollout progressive',
    );
    expect(() => rolloutStrategy('canary', undefined)).toThrow(
      '--rollout must be all, progressive, progressive-per-group',
    );
  });
});
