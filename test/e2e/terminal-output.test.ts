// Strings from a server reach the terminal shown, never obeyed: a Placement whose condition holds a clear-screen
// sequence, a window-title (OSC) sequence, a tab and a line break, printed by `place list` and `place get`.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kplane, kplaneBin, kubectl } from './helpers/cli.js';
import { spawnInPty } from './helpers/pty.js';
import { demoPlatformSession } from './helpers/session.js';
import { eventually } from './helpers/wait.js';

const session = demoPlatformSession('kplane-terminal-');
const env = () => session.user.env;

const reason = 'Evil\x1b[2J\tTabbed\nBroken';
const message = 'boom \x1b]0;pwned\x07 \u009b31m done';
const placement = `apiVersion: cluster.open-cluster-management.io/v1beta1
kind: Placement
metadata:
  name: evil
  namespace: default
spec:
  numberOfClusters: 1
`;

/** A control character other than newline and tab: C0, DEL or C1. */
const isControl = (char: string) => {
  const code = char.charCodeAt(0);
  return (code < 0x20 && char !== '\n' && char !== '\t') || (code >= 0x7f && code <= 0x9f);
};

async function inTerminal(
  args: string[],
  extraEnv: Record<string, string | undefined> = {},
): Promise<string> {
  const pty = spawnInPty([process.execPath, kplaneBin, ...args], { ...env(), CI: undefined, ...extraEnv });
  try {
    expect(await pty.exited).toBe(0);
    return pty.screen();
  } finally {
    pty.kill();
  }
}

describe('server strings in terminal output', () => {
  it('place list and place get show control characters instead of obeying them; json and yaml stay exact', async () => {
    expect((await kplane(['ws', 'use', ':root:acme:web'], { env: env() })).code).toBe(0);
    const applied = await kubectl(['apply', '-f', '-'], { env: env(), input: placement });
    expect(applied.code, applied.stderr).toBe(0);
    // Once the platform has decided (no cluster set here), write the condition a hostile server would send.
    const decided = await eventually(
      () =>
        kubectl(['get', 'placement', 'evil', '-n', 'default', '-o', 'jsonpath={.status.conditions}'], {
          env: env(),
        }),
      (result) => result.stdout.includes('PlacementSatisfied'),
    );
    expect(decided.stdout).toContain('PlacementSatisfied');
    const status = {
      status: {
        conditions: [
          {
            type: 'PlacementSatisfied',
            status: 'False',
            reason,
            message,
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    };
    const patched = await kubectl(
      [
        'patch',
        'placement',
        'evil',
        '-n',
        'default',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify(status),
      ],
      { env: env() },
    );
    expect(patched.code, patched.stderr).toBe(0);

    for (const args of [
      ['place', 'list'],
      ['place', 'get', 'evil'],
    ]) {
      const plain = await inTerminal(args, { NO_COLOR: '1' });
      expect(plain, args.join(' ')).not.toContain('\x1b');
      expect(plain).not.toContain('\x07');
      expect(plain).not.toContain('\u009b');
      expect(plain).toContain('Evil^[[2J');
      const coloured = await inTerminal(args, { NO_COLOR: undefined, TERM: 'xterm' });
      expect(coloured.replaceAll('\x1b[1m', '').replaceAll('\x1b[22m', ''), args.join(' ')).not.toContain(
        '\x1b',
      );
    }
    const got = await inTerminal(['place', 'get', 'evil'], { NO_COLOR: '1' });
    expect(got).toContain('boom ^[]0;pwned^G M-^[31m done');

    // A pipe gets one tab-separated row per placement, whatever the values hold.
    const piped = await kplane(['place', 'list'], { env: env() });
    expect(piped.code).toBe(0);
    expect(
      piped.stdout
        .split('\n')
        .filter(Boolean)
        .map((row) => row.split('\t').slice(0, 5)),
    ).toEqual([['evil', '0', '1', 'False', 'Evil^[[2J Tabbed Broken']]);

    // -o json and -o yaml carry the exact strings, escaped by their own rules.
    const readers: [string, (text: string) => unknown][] = [
      ['json', (text) => JSON.parse(text)],
      ['yaml', (text) => parse(text)],
    ];
    for (const [format, read] of readers) {
      const result = await kplane(['place', 'list', '-o', format], { env: env() });
      expect(result.code, result.stderr).toBe(0);
      expect([...result.stdout].filter(isControl)).toEqual([]);
      const [item] = read(result.stdout) as {
        status: { conditions: { reason: string; message: string }[] };
      }[];
      expect(item!.status.conditions[0]).toMatchObject({ reason, message });
    }
  });
});
