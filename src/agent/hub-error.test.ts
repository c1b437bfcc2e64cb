import { describe, expect, it } from 'vitest';
import { ApiStatusError } from '../client/api-error.js';
import { hubErrorText } from './hub-error.js';

describe("the agent's words for a failed hub request", () => {
  it('says the cluster was denied or its token expired, not to run kplane login', () => {
    const refused = new ApiStatusError(401, {
      code: 401,
      reason: 'Unauthorized',
      message: 'run kplane login X',
    });
    const text = hubErrorText(refused, 'eu-1');
    expect(text).toContain('cluster eu-1 was denied or its token expired');
    expect(text).not.toContain('kplane login');
  });

  it('passes any other error on as it is', () => {
    expect(hubErrorText(new Error('connect ECONNREFUSED'), 'eu-1')).toBe('connect ECONNREFUSED');
  });
});
