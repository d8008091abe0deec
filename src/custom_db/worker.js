// The long-lived Node.js worker that runs custom database action scripts for auth0-emulator.
//
// Protocol: one JSON object per line.
//   stdin   {"id": 1, "connection": "legacy", "action": "login", "script": "function login(…) {…}",
//            "args": ["jane@example.com", "secret"], "configuration": {…}, "timeout_ms": 20000}
//   stdout  {"id": 1, "ok": true, "value": <the callback's second argument, or null>}
//           {"id": 1, "ok": false, "error": {"name": "ValidationError", "message": "…", "code": "user_exists"}}
//           {"log": {"connection": "legacy", "action": "login", "level": "info", "text": "…"}}
//
// A script is one function, as in Auth0: `function login(email, password, callback) { … }`. It
// sees Auth0's globals: `configuration`, `WrongUsernameOrPasswordError`, `ValidationError`,
// `UnauthorizedError`, and `require`, which resolves from the worker's working directory (--scripts-dir, else the
// emulator's), so scripts can use the drivers of the developer's own database.
'use strict';

const path = require('node:path');
const readline = require('node:readline');
const { createRequire } = require('node:module');
const util = require('node:util');

const scriptRequire = createRequire(path.join(process.cwd(), '__auth0_emulator_custom_db__.js'));
const protocolOut = process.stdout;

function send(message) {
  protocolOut.write(JSON.stringify(message) + '\n');
}

class WrongUsernameOrPasswordError extends Error {
  constructor(email, message) {
    super(message || 'Wrong email or password.');
    this.name = 'WrongUsernameOrPasswordError';
    this.email = email;
  }
}

class ValidationError extends Error {
  constructor(code, message) {
    super(message || code);
    this.name = 'ValidationError';
    this.code = code;
  }
}

class UnauthorizedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

Object.assign(globalThis, { WrongUsernameOrPasswordError, ValidationError, UnauthorizedError });

// The call whose code is running now, so console output and stray errors can be attributed.
let current = null;

function consoleFor(call) {
  const log = (level) => (...args) =>
    send({ log: { connection: call.connection, action: call.action, level, text: util.format(...args) } });
  return { log: log('info'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
}

// Scripts write to the emulator's log, never onto the protocol stream.
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => {
    const call = current || { connection: null, action: null };
    send({ log: { connection: call.connection, action: call.action, level: level === 'log' ? 'info' : level, text: util.format(...args) } });
  };
}

// Compiled factories by script source: compiling once keeps warm calls cheap.
const compiled = new Map();

function compile(source) {
  let factory = compiled.get(source);
  if (!factory) {
    const body = source.trim().replace(/;+\s*$/, '');
    factory = new Function(
      'configuration', 'require', 'console',
      'WrongUsernameOrPasswordError', 'ValidationError', 'UnauthorizedError',
      `return (\n${body}\n);`,
    );
    compiled.set(source, factory);
  }
  return factory;
}

function errorOf(err) {
  if (err instanceof Error || (err && typeof err === 'object')) {
    return {
      name: typeof err.name === 'string' ? err.name : 'Error',
      message: typeof err.message === 'string' ? err.message : String(err),
      code: typeof err.code === 'string' ? err.code : undefined,
    };
  }
  return { name: 'Error', message: String(err) };
}

function run(call) {
  let settled = false;
  const finish = (message) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    send({ id: call.id, ...message });
  };
  const timer = setTimeout(
    () => finish({ ok: false, error: { name: 'TimeoutError', message: `Script execution time exceeded (${call.timeout_ms} ms)` } }),
    call.timeout_ms,
  );
  const callback = (err, value) => {
    if (err) finish({ ok: false, error: errorOf(err) });
    else finish({ ok: true, value: value === undefined ? null : value });
  };
  current = call;
  try {
    const fn = compile(call.script)(
      call.configuration || {}, scriptRequire, consoleFor(call),
      WrongUsernameOrPasswordError, ValidationError, UnauthorizedError,
    );
    if (typeof fn !== 'function') {
      throw new Error(`the ${call.action} script must be one function, as in Auth0`);
    }
    const result = fn(...call.args, callback);
    // Async functions that throw reject their promise instead.
    if (result && typeof result.then === 'function') {
      result.then(undefined, (err) => callback(err || new Error('script rejected')));
    }
  } catch (err) {
    callback(err);
  } finally {
    current = null;
  }
}

process.on('uncaughtException', (err) => {
  send({ log: { connection: null, action: null, level: 'error', text: `uncaught exception in a script: ${err && err.stack || err}` } });
});
process.on('unhandledRejection', (err) => {
  send({ log: { connection: null, action: null, level: 'error', text: `unhandled rejection in a script: ${err && err.stack || err}` } });
});

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  let call;
  try {
    call = JSON.parse(line);
  } catch (err) {
    send({ log: { connection: null, action: null, level: 'error', text: `worker got a line that is not JSON: ${err.message}` } });
    return;
  }
  run(call);
});
lines.on('close', () => process.exit(0));
