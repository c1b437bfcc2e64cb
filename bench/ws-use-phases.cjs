/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (node --require) */
/* global require */
// Preloaded (`node --require`) into a timed `kplane ws use` by bench/run.js, to show where its time goes beyond
// Node's own start-up. It only watches: timestamps (ms since the process started) when kplane opens its
// connection to the platform, takes the kubeconfig lock, and removes it, plus the time spent building TLS contexts
// and in fsync; at exit it
// appends one JSON line to $KPLANE_BENCH_PHASES. Node's `fs` is wrapped in place (kplane's bundle looks its
// functions up at each call), and `tls.connect` once kplane requires `tls`, so nothing is loaded early.
const fs = require('node:fs');
const Module = require('node:module');

const out = process.env.KPLANE_BENCH_PHASES;
const now = () => process.uptime() * 1000;
const phases = {
  preload: now(),
  connect: undefined,
  locked: undefined,
  unlocked: undefined,
  fsync: 0,
  secureContext: 0,
  tlsLoad: 0,
};
const isLock = (file) => typeof file === 'string' && file.endsWith('.lock');

const { linkSync, unlinkSync, fsyncSync } = fs;
fs.linkSync = function (existing, file) {
  const result = linkSync.apply(this, arguments);
  if (isLock(file)) phases.locked ??= now();
  return result;
};
fs.unlinkSync = function (file) {
  const result = unlinkSync.apply(this, arguments);
  if (isLock(file) && phases.locked !== undefined) phases.unlocked = now();
  return result;
};
fs.fsyncSync = function () {
  const started = now();
  try {
    return fsyncSync.apply(this, arguments);
  } finally {
    phases.fsync += now() - started;
  }
};

const { require: moduleRequire } = Module.prototype;
Module.prototype.require = function (id) {
  const isTls = id === 'node:tls' || id === 'tls';
  const started = now();
  const exported = moduleRequire.apply(this, arguments);
  if (isTls && !exported.connect.__benchWrapped) {
    phases.tlsLoad = now() - started; // the first time: Node's TLS, crypto and socket code
    const { connect, createSecureContext } = exported;
    exported.connect = function () {
      phases.connect ??= now();
      return connect.apply(this, arguments);
    };
    exported.connect.__benchWrapped = true;
    // Node 20 parses its whole built-in root store on the first TLS context of a process, `ca` given or not.
    exported.createSecureContext = function () {
      const started = now();
      try {
        return createSecureContext.apply(this, arguments);
      } finally {
        phases.secureContext += now() - started;
      }
    };
  }
  return exported;
};

process.on('exit', () => {
  if (out) fs.appendFileSync(out, `${JSON.stringify({ ...phases, exit: now() })}\n`);
});
