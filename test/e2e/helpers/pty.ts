import { spawn, type ChildProcess } from 'node:child_process';

/** A command running in a real pseudo-terminal (util-linux `script`), driven by keystrokes. */
export interface PtySession {
  /** Everything the terminal has shown so far, escape sequences included. */
  screen(): string;
  type(keys: string): void;
  /** Resolves once the screen contains `text`, or rejects after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number>;
  kill(): void;
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function spawnInPty(command: string[], env: Record<string, string | undefined>): PtySession {
  const fullEnv: Record<string, string | undefined> = { ...process.env, TERM: 'xterm', ...env };
  for (const [key, value] of Object.entries(fullEnv)) if (value === undefined) delete fullEnv[key];
  const child: ChildProcess = spawn('script', ['-qfec', command.map(quote).join(' '), '/dev/null'], {
    env: fullEnv as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  return {
    screen: () => output,
    type: (keys) => void child.stdin!.write(keys),
    waitFor: (text, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const matches = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
        if (matches()) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${String(text)}; screen:\n${output}`));
        }, timeoutMs);
        const check = () => {
          if (!matches()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      }),
    exited,
    kill: () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
