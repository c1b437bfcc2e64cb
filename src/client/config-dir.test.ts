import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialsFile, kplaneConfigDir } from './config-dir.js';

describe("kplane's config folder", () => {
  it('is $XDG_CONFIG_HOME/kplane, else ~/.config/kplane from HOME, else from the account', () => {
    expect(kplaneConfigDir({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe(path.join('/x', 'kplane'));
    expect(kplaneConfigDir({ HOME: '/h' })).toBe(path.join('/h', '.config', 'kplane'));
    // `auth token` loads `os` only here, where neither variable says.
    expect(kplaneConfigDir({})).toBe(path.join(os.homedir(), '.config', 'kplane'));
    expect(credentialsFile({ HOME: '/h' })).toBe(path.join('/h', '.config', 'kplane', 'credentials.json'));
  });
});
