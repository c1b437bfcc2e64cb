import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChangesToText, routeChanges } from './kubeconfig/edit.js';
import { mergeKubeconfigFiles, parseKubeconfigText } from './kubeconfig/load.js';
import { applyQuickSwitch, type QuickSwitch, type QuickSwitchPlan } from './kubeconfig/quick-switch.js';
import { planQuickSwitch } from './quick-switch-plan.js';
import { planSwapToPrevious, planUseWorkspace } from './workspace-switch.js';

const FILE = '/home/me/.kube/config';
const BASE = 'https://platform.example:6443';

function parsed(text: string) {
  const file = parseKubeconfigText(text, FILE);
  return { file, config: mergeKubeconfigFiles([file], { files: [FILE], destination: FILE }) };
}

/** What `ws use` / `ws -` write through the full YAML edit. */
function slowSwitch(text: string, change: QuickSwitch): string {
  const { config } = parsed(text);
  const changes =
    change.kind === 'use' ? planUseWorkspace(config, change.server) : planSwapToPrevious(config);
  return applyChangesToText(text, FILE, routeChanges(config, changes).get(FILE) ?? []);
}

function planOf(text: string): QuickSwitchPlan | undefined {
  const { file, config } = parsed(text);
  return planQuickSwitch(config, [file]);
}

const start = `# my clusters
apiVersion: v1
kind: Config
clusters:
- name: platform   # the one from kplane login
  cluster:
    certificate-authority-data: Q0E=
    server: ${BASE}/clusters/root
- name: other
  cluster: {server: "https://other:443"}
contexts:
- name: platform
  context:
    cluster: platform
    user: me
    namespace: team
users:
- name: me
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: kplane, args: [auth, token]}
current-context: platform
extra-field: kept
`;

/** The layout after two switches, which the quick path is for. */
const steady = slowSwitch(slowSwitch(start, { kind: 'use', server: `${BASE}/clusters/root:acme` }), {
  kind: 'use',
  server: `${BASE}/clusters/root:acme:web`,
});

describe('quick switch', () => {
  it('is not planned before the kcp layout exists', () => {
    expect(planOf(start)).toBeUndefined();
  });

  it('moves exactly the two servers, meaning what the full edit means', () => {
    const plan = planOf(steady)!;
    expect(plan).toBeDefined();
    expect(steady.slice(...plan.current)).toBe(`${BASE}/clusters/root:acme:web`);
    expect(steady.slice(...plan.previous)).toBe(`${BASE}/clusters/root:acme`);

    const change: QuickSwitch = { kind: 'use', server: `${BASE}/clusters/root:acme:api` };
    const quick = applyQuickSwitch(steady, plan, change)!;
    expect(parsed(quick.text).file.data).toEqual(parsed(slowSwitch(steady, change)).file.data);
    expect(quick.server).toBe(`${BASE}/clusters/root:acme:api`);
    // Every other byte is where it was.
    const withoutServers = (text: string, p: QuickSwitchPlan) =>
      [text.slice(0, p.current[0]), text.slice(p.current[1], p.previous[0]), text.slice(p.previous[1])].join(
        '|',
      );
    expect(withoutServers(quick.text, quick.plan)).toBe(withoutServers(steady, plan));
  });

  it('swaps the servers for ws -', () => {
    const plan = planOf(steady)!;
    const quick = applyQuickSwitch(steady, plan, { kind: 'swap' })!;
    expect(parsed(quick.text).file.data).toEqual(parsed(slowSwitch(steady, { kind: 'swap' })).file.data);
    expect(quick.server).toBe(`${BASE}/clusters/root:acme`);
  });

  it('hands on a plan that is the one a fresh parse would make', () => {
    const plan = planOf(steady)!;
    const quick = applyQuickSwitch(steady, plan, { kind: 'use', server: `${BASE}/clusters/root` })!;
    expect(quick.plan).toEqual(planOf(quick.text));
  });

  it('refuses text it was not made for, and servers that would not read back as written', () => {
    const plan = planOf(steady)!;
    expect(applyQuickSwitch(`${steady}\n# edited`, plan, { kind: 'swap' })).toBeUndefined();
    for (const server of [`${BASE}/clusters/a b`, `${BASE}/x #y`, `${BASE}/x:`, `'${BASE}/x'`, 'ftp://x/y']) {
      expect(applyQuickSwitch(steady, plan, { kind: 'use', server })).toBeUndefined();
    }
  });

  it.each([
    ['the clusters differ in more than the server', (t: string) => replaceLast(t, 'Q0E=', 'Q0I=')],
    [
      'a server is quoted',
      (t: string) =>
        t.replace(`server: ${BASE}/clusters/root:acme\n`, `server: "${BASE}/clusters/root:acme"\n`),
    ],
    [
      'a server is anchored',
      (t: string) =>
        t.replace(`server: ${BASE}/clusters/root:acme\n`, `server: &s ${BASE}/clusters/root:acme\n`),
    ],
    ['the contexts differ', (t: string) => replaceLast(t, 'namespace: team', 'namespace: other')],
    [
      'another context is current',
      (t: string) => t.replace(/current-context: .*/, 'current-context: platform'),
    ],
  ])('is not planned when %s', (_, edit) => {
    const text = edit(steady);
    expect(text).not.toBe(steady);
    expect(planOf(text)).toBeUndefined();
  });

  it('is not planned for several kubeconfig files', () => {
    const { file } = parsed(steady);
    const config = mergeKubeconfigFiles([file], { files: [FILE, '/other'], destination: FILE });
    expect(planQuickSwitch(config, [file, file])).toBeUndefined();
  });

  const layouts = fc.record({
    indentSeq: fc.boolean(),
    crlf: fc.boolean(),
    comment: fc.boolean(),
  });
  const workspace = fc.constantFrom('root', 'root:acme', 'root:acme:web', 'root:users:me', 'root:a-b:c1');
  const change = fc.oneof(
    workspace.map((path): QuickSwitch => ({ kind: 'use', server: `${BASE}/clusters/${path}` })),
    fc.constant<QuickSwitch>({ kind: 'swap' }),
  );

  it('agrees with the full edit over any run of switches, in any block layout', () => {
    fc.assert(
      fc.property(layouts, fc.array(change, { minLength: 1, maxLength: 8 }), (layout, changes) => {
        let text = restyle(steady, layout);
        for (const next of changes) {
          const slow = slowSwitch(text, next);
          const plan = planOf(text);
          expect(plan).toBeDefined();
          const quick = applyQuickSwitch(text, plan!, next)!;
          expect(parsed(quick.text).file.data).toEqual(parsed(slow).file.data);
          text = quick.text;
        }
      }),
      { numRuns: 60 },
    );
  });
});

function restyle(text: string, layout: { indentSeq: boolean; crlf: boolean; comment: boolean }): string {
  let out = text;
  // Everything under a top-level key moves right, so list items sit indented under their key.
  if (layout.indentSeq) out = out.replace(/^(?=[ -])/gm, '  ');
  if (layout.comment) out = out.replace(/^(\s*server: .*)$/gm, '$1 # the platform');
  if (layout.crlf) out = out.replace(/\n/g, '\r\n');
  return out;
}

function replaceLast(text: string, find: string, replacement: string): string {
  const at = text.lastIndexOf(find);
  return text.slice(0, at) + replacement + text.slice(at + find.length);
}
