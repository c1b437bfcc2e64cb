import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { credentialExec } from './exec-command.js';

const url = 'https://127.0.0.1:6443';

describe('the credential entry kplane login writes', () => {
  it('is the plain command where NODE_EXTRA_CA_CERTS is not set, and on Windows', () => {
    expect(credentialExec(url, {}, 'linux').args).toEqual(['auth', 'token', '--server', url]);
    const windows = credentialExec(url, { NODE_EXTRA_CA_CERTS: 'C:\\ca.pem' }, 'win32');
    expect(windows.args).toEqual(['auth', 'token', '--server', url]);
  });

  it('hands the variable, as it is when kubectl runs, to kplane instead of Node', () => {
    const entry = credentialExec(url, { NODE_EXTRA_CA_CERTS: '/etc/ssl/company.pem' }, 'linux');
    expect(entry.command).toBe('/bin/sh');
    expect(entry.args.slice(2)).toEqual([expect.any(String), 'auth', 'token', '--server', url]);
    // Run as kubectl runs it, with `env` standing in for kplane: the variable's value at that moment, moved.
    const [flag, line] = entry.args;
    const seen = execFileSync('/bin/sh', [flag!, line!, '/usr/bin/env'], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: '/now/another.pem' },
      encoding: 'utf8',
    }).split('\n');
    expect(seen).toContain('KPLANE_EXTRA_CA_CERTS=/now/another.pem');
    expect(seen).toContain('NODE_EXTRA_CA_CERTS=');
  });
});
