// Headless Debian Chromium for the browser SDK suites. The emulator is trusted the way a developer
// would trust it: its CA goes into the NSS database of a throwaway HOME (no ignoreHTTPSErrors).
//
// The test apps live at https://localhost:3000, the origin the default tenant registers for
// spa-client (callbacks, web origins, logout URLs). A small HTTPS server on 127.0.0.1:3000 serves
// them, with a certificate from a throwaway CA (made with openssl) that sits in the same NSS
// database. HTTPS rather than http://localhost:3000 because the SPA must be same-site with the
// emulator at https://localhost:<port> (schemeful same-site ignores ports) for the emulator's
// session cookie to reach the silent-auth iframe (sdk-notes §3.9). If port 3000 is taken the
// suite stops and says so: no other port is a registered callback.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CA_PATH } from './emulator.mjs';

export const CHROMIUM = '/usr/bin/chromium';
export const APP = 'https://localhost:3000';
/** The same app over plain HTTP (also registered for spa-client): the common local dev setup. */
export const APP_HTTP = 'http://localhost:3000';
const APP_HOST = '127.0.0.1';
const APP_PORT = 3000;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const INSTALL_HINT =
  'install the Debian packages chromium and libnss3-tools ' +
  '(scripts/test.sh installs them itself when run as root with apt-get)';
const ARGS = [
  '--no-sandbox', // the suite runs as root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const BROWSER_TIMEOUT_MS = 15_000;

export function assertBrowserAvailable() {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    assert.fail(`Chromium is not installed at ${CHROMIUM}: ${INSTALL_HINT}`);
  }
  try {
    execFileSync('certutil', ['-H'], { stdio: 'ignore' });
  } catch (err) {
    if (err.code === 'ENOENT') assert.fail(`certutil is not on PATH: ${INSTALL_HINT}`);
  }
}

/** A file from node_modules, e.g. vendor('@auth0/auth0-spa-js/dist/auth0-spa-js.production.js'). */
export function vendor(relative) {
  return readFileSync(path.join(HERE, 'node_modules', relative));
}

/** A CA and a localhost certificate it signed, made with openssl in `dir`. */
function makeAppCertificate(dir) {
  const file = (name) => path.join(dir, name);
  const run = (args) => {
    try {
      execFileSync('openssl', args, { stdio: 'pipe' });
    } catch (err) {
      if (err.code === 'ENOENT') assert.fail('openssl is not on PATH: install the Debian package openssl');
      throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr}`);
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2',
    '-subj', '/CN=auth0-emulator SDK suite test-app CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ec, '-keyout', file('app.key'), '-out', file('app.csr'), '-subj', '/CN=localhost']);
  writeFileSync(file('app.ext'), [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ].join('\n'));
  run(['x509', '-req', '-in', file('app.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('app.pem'), '-days', '2', '-extfile', file('app.ext')]);
  return { ca: file('ca.pem'), key: readFileSync(file('app.key')), cert: readFileSync(file('app.pem')) };
}

/** Serves `routes` ({'/path': {body, contentType}}, query ignored) on 127.0.0.1:3000, over TLS when given a key. */
async function serveApp(routes, { key, cert } = {}) {
  const handler = (req, res) => {
    const entry = routes[new URL(req.url, APP).pathname];
    if (!entry) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route ${req.url}`);
      return;
    }
    res.writeHead(200, { 'content-type': entry.contentType ?? 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(entry.body);
  };
  const server = key ? https.createServer({ key, cert }, handler) : http.createServer(handler);
  await new Promise((resolve, reject) => {
    server.once('error', (err) => {
      if (err.code === 'EADDRINUSE') {
        reject(new Error(
          `port ${APP_PORT} on ${APP_HOST} is in use: the browser suites serve their test app at localhost:${APP_PORT}, ` +
          'the only origin the default tenant registers for spa-client; stop whatever listens there',
        ));
      } else reject(err);
    });
    server.listen(APP_PORT, APP_HOST, resolve);
  });
  return server;
}

/**
 * A fresh Chromium (own HOME whose NSS database trusts the emulator CA and the test-app CA, own
 * profile) and the test app serving `routes` at `APP` (or `APP_HTTP` with {https: false}).
 * Returns {origin, context, page, requests, close, ...}; `requests` logs every request the browser made (method, url, postData, frame: 'main' |
 * 'sub'), `blocked` every request that tried to leave this machine (they are aborted).
 */
export async function openBrowser(routes, { https: useTls = true } = {}) {
  assertBrowserAvailable();
  const scratch = [];
  const temp = (prefix) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };
  const appCert = makeAppCertificate(temp('auth0-emulator-app-cert-'));
  const home = temp('auth0-emulator-browser-home-');
  const nss = path.join(home, '.pki', 'nssdb');
  mkdirSync(nss, { recursive: true });
  const db = `sql:${nss}`;
  execFileSync('certutil', ['-d', db, '-N', '--empty-password'], { stdio: 'pipe' });
  execFileSync('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'auth0-emulator-ca', '-i', CA_PATH], { stdio: 'pipe' });
  execFileSync('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'sdk-test-app-ca', '-i', appCert.ca], { stdio: 'pipe' });

  let server;
  let context;
  try {
    server = await serveApp(routes, useTls ? appCert : {});
    context = await chromium.launchPersistentContext(temp('auth0-emulator-browser-profile-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      env: { ...process.env, HOME: home },
      timeout: 30_000,
    });
  } catch (err) {
    server?.close();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);

  // No network beyond this machine: record and abort anything else (e.g. a CDN or gravatar).
  const blocked = [];
  await context.route(
    (url) => !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname),
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );

  const requests = [];
  context.on('request', (req) => {
    let frame = 'other';
    try {
      frame = req.frame().parentFrame() ? 'sub' : 'main';
    } catch {
      // service-worker or detached frame requests
    }
    requests.push({ method: req.method(), url: new URL(req.url()), postData: req.postData(), frame });
  });
  const consoleLines = [];
  context.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`));

  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));

  return {
    origin: useTls ? APP : APP_HTTP,
    context,
    page,
    requests,
    consoleLines,
    blocked,
    describe() {
      return (
        `browser requests:\n  ${requests.map((r) => `${r.frame} ${r.method} ${r.url.href.slice(0, 220)}`).join('\n  ')}` +
        `\nconsole:\n  ${consoleLines.join('\n  ')}` +
        (blocked.length ? `\nblocked (off this machine):\n  ${blocked.join('\n  ')}` : '')
      );
    },
    async close() {
      await context.close().catch(() => {});
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the emulator's hosted login page and submits it; waits until the browser left the emulator. */
export async function submitLoginPage(page, { username, password, emulatorOrigin }) {
  await page.waitForLoadState('load');
  if ((await page.locator('input#username').count()) === 0) {
    const status = await page.evaluate(() => document.title).catch(() => '');
    const text = ((await page.textContent('body').catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 400);
    throw new Error(`no login page (input#username) at ${page.url()}: title "${status}", body "${text}"`);
  }
  await page.fill('input#username', username);
  await page.fill('input#password', password);
  await Promise.all([
    page.waitForURL((url) => url.origin !== emulatorOrigin, { waitUntil: 'load' }),
    page.click('button[type=submit][name=action][value=default]'),
  ]);
}
