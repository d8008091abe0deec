// Browser trust: headless Debian Chromium loads the emulator over HTTPS because the emulator CA
// is in the NSS database it reads, not because certificate errors are ignored. Each browser gets
// a temporary HOME (so the developer's real ~/.pki/nssdb is untouched) and a fresh profile.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CA_PATH, DISCOVERY_URL, ISSUER } from './emulator.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', // the suite runs as root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const INSTALL_HINT =
  'install the Debian packages chromium and libnss3-tools ' +
  '(scripts/test.sh installs them itself when run as root with apt-get)';

const scratch = [];

function findOnPath(program) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A throwaway HOME whose NSS database trusts the emulator CA, or (trustCa=false) nothing. */
function homeWithNssDb({ trustCa }) {
  const home = tempDir('auth0-emulator-browser-home-');
  const nssDir = path.join(home, '.pki', 'nssdb');
  mkdirSync(nssDir, { recursive: true });
  const db = `sql:${nssDir}`;
  execFileSync('certutil', ['-d', db, '-N', '--empty-password'], { stdio: 'pipe' });
  if (trustCa) {
    execFileSync('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'auth0-emulator-ca', '-i', CA_PATH], {
      stdio: 'pipe',
    });
    const listed = execFileSync('certutil', ['-d', db, '-L'], { encoding: 'utf8' });
    assert.match(listed, /auth0-emulator-ca\s+C,,/, `the CA did not land in the NSS DB:\n${listed}`);
  }
  return home;
}

/** Open `url` in a fresh headless Chromium whose NSS DB does or does not trust the CA. */
async function openInChromium(url, { trustCa }) {
  const home = homeWithNssDb({ trustCa });
  const context = await chromium.launchPersistentContext(tempDir('auth0-emulator-browser-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: home },
  });
  try {
    const page = await context.newPage();
    const response = await page.goto(url);
    return {
      status: response.status(),
      text: await page.textContent('body'),
      security: await response.securityDetails(),
    };
  } finally {
    await context.close();
  }
}

describe('headless Chromium with the emulator CA in its NSS database', () => {
  before(() => {
    try {
      accessSync(CHROMIUM, constants.X_OK);
    } catch {
      assert.fail(`Chromium is not installed at ${CHROMIUM}: ${INSTALL_HINT}`);
    }
    if (!findOnPath('certutil')) {
      assert.fail(`certutil is not on PATH: ${INSTALL_HINT}`);
    }
  });

  after(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the discovery document over HTTPS and shows the issuer', async () => {
    const { status, text, security } = await openInChromium(DISCOVERY_URL, { trustCa: true });
    assert.equal(status, 200);
    assert.ok(text.includes(`"issuer":"${ISSUER}"`) || text.includes(`"issuer": "${ISSUER}"`),
      `the page does not show issuer ${ISSUER}:\n${text}`);
    assert.equal(JSON.parse(text).issuer, ISSUER);

    // The certificate Chromium accepted was issued by the emulator CA.
    const caCn = /^CN=(.*)$/m.exec(new X509Certificate(readFileSync(CA_PATH)).subject)?.[1];
    if (caCn) assert.equal(security?.issuer, caCn);
  });

  it('refuses the same page when the NSS database lacks the CA', async () => {
    await assert.rejects(openInChromium(DISCOVERY_URL, { trustCa: false }), /ERR_CERT_AUTHORITY_INVALID/);
  });
});
