// Shared helpers for the Authentication API suites (authn-*.test.mjs): the default tenant's
// fixtures (README "The default tenant") and a small cookie-keeping HTTP user agent that drives
// the emulator's hosted login page the way a browser would, with plain fetch and manual
// redirects. Every network wait has a deadline, so a missing endpoint fails a test, never hangs it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DOMAIN, ISSUER, decodeJwt } from './emulator.mjs';

export { decodeJwt };

// --- the default tenant ---------------------------------------------------------------------
export const DB_CONNECTION = 'Username-Password-Authentication';
export const PASSWORD = 'Passw0rd!';
export const WEB_CLIENT = { id: 'web-client', secret: 'web-client-secret' };
export const M2M_CLIENT = { id: 'm2m-client', secret: 'm2m-client-secret' };
export const SPA_CLIENT_ID = 'spa-client';
/** Registered callback of web-client (and spa-client); nothing needs to listen there. */
export const APP_ORIGIN = 'http://localhost:3000';
export const CALLBACK = `${APP_ORIGIN}/callback`;
export const JANE = {
  email: 'jane@example.com',
  user_id: 'auth0|0123456789abcdef01234567',
  name: 'Jane Doe',
  user_metadata: { hobby: 'surfing', theme: 'dark' },
  plan: 'full',
};
export const JOHN = { email: 'john@example.com', user_id: 'auth0|0123456789abcdef01234568' };
export const BLOCKED = { email: 'blocked@example.com' };
/** The post-login action's claims (seed-data/tenant.json `actions.post_login`). */
export const USER_METADATA_CLAIM = 'https://example.test/user_metadata';
export const PLAN_CLAIM = 'https://example.test/plan';
export const USERINFO_AUDIENCE = `${ISSUER}userinfo`;
export const EMULATOR_ORIGIN = new URL(ISSUER).origin;

/** A fresh address for sign-up tests, so reruns against one emulator never collide. */
export function uniqueEmail(tag) {
  return `sdk-${tag}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@example.com`;
}
/** Satisfies the `good` password policy (8+ chars, 3 of 4 character classes). */
export const NEW_PASSWORD = 'Sdk-Test-Passw0rd!';

export const HTTP_TIMEOUT_MS = 10_000;

/** Asserts an access token is an emulator JWT for `audience` and returns its payload. */
export function accessTokenClaims(token, audience) {
  const { header, payload } = decodeJwt(token);
  assert.equal(header.alg, 'RS256');
  assert.equal(payload.iss, ISSUER);
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  assert.ok(aud.includes(audience), `access token aud ${JSON.stringify(payload.aud)} lacks ${audience}`);
  return payload;
}

// --- HTML forms -----------------------------------------------------------------------------
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#x2F': '/', '#47': '/' };

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name in ENTITIES) return ENTITIES[name];
    if (/^#x/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return whole;
  });
}

function parseAttributes(source) {
  const attrs = {};
  const re = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const m of source.matchAll(re)) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** Every `<form>` in `html`: `{attrs, inputs: [attrs], buttons: [attrs]}`. */
export function parseForms(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    forms.push({
      attrs: parseAttributes(m[1]),
      inputs: [...m[2].matchAll(/<input\b([^>]*)>/gi)].map((i) => parseAttributes(i[1])),
      buttons: [...m[2].matchAll(/<button\b([^>]*)>/gi)].map((b) => parseAttributes(b[1])),
    });
  }
  return forms;
}

/** Name/value pairs of a form's hidden inputs. */
export function hiddenFields(form) {
  return form.inputs
    .filter((i) => (i.type ?? '').toLowerCase() === 'hidden' && i.name)
    .map((i) => [i.name, i.value ?? '']);
}

function snippet(text, max = 600) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

// --- a cookie-keeping user agent ---------------------------------------------------------------
/**
 * Plain fetch with manual redirects and a cookie jar keyed by host name (like browsers, ports do
 * not separate cookies on localhost). `rewrite` maps a logical origin (e.g. the registered
 * callback origin `http://localhost:3000`) to where a test app really listens, so apps on random
 * ports can use the tenant's registered URLs. `trail` records every request for failure messages.
 */
export class UserAgent {
  constructor({ rewrite = {} } = {}) {
    this.rewrite = rewrite;
    this.jar = new Map(); // hostname -> Map(name -> value)
    this.trail = [];
  }

  cookies(hostname) {
    if (!this.jar.has(hostname)) this.jar.set(hostname, new Map());
    return this.jar.get(hostname);
  }

  cookieHeader(url) {
    const jar = this.cookies(url.hostname);
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  storeCookies(url, headers) {
    const jar = this.cookies(url.hostname);
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expired = false;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  /** One request, no redirect following. `form` is sent x-www-form-urlencoded. */
  async request(input, { method = 'GET', form, headers = {} } = {}) {
    const url = new URL(input);
    if (form && method === 'GET') {
      url.search = new URLSearchParams(form).toString();
      form = undefined;
    }
    let target = url.href;
    for (const [from, to] of Object.entries(this.rewrite)) {
      if (url.origin === from) target = to + url.pathname + url.search;
    }
    const init = { method, redirect: 'manual', headers: { ...headers }, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) };
    const cookie = this.cookieHeader(url);
    if (cookie) init.headers.cookie = cookie;
    if (form) {
      init.body = new URLSearchParams(form).toString();
      init.headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    let res;
    try {
      res = await fetch(target, init);
    } catch (err) {
      this.trail.push(`${method} ${url.href} -> ${err.cause?.code ?? err.name}`);
      throw new Error(`${method} ${url.href} failed: ${err.cause?.message ?? err.message}\n${this.describe()}`, { cause: err });
    }
    this.storeCookies(url, res.headers);
    const text = await res.text();
    const location = res.headers.get('location');
    this.trail.push(`${method} ${url.href} -> ${res.status}${location ? ` Location: ${location}` : ''}`);
    return { url, status: res.status, headers: res.headers, text, location: location ? new URL(location, url) : null };
  }

  describe() {
    return `requests so far:\n  ${this.trail.join('\n  ')}`;
  }

  /** Follows redirects while `keepGoing(url)` holds for the next hop; returns the last response. */
  async follow(input, { keepGoing = (u) => u.origin === EMULATOR_ORIGIN, maxHops = 10, ...options } = {}) {
    let res = await this.request(input, options);
    for (let hop = 0; hop < maxHops && res.status >= 300 && res.status < 400 && res.location; hop++) {
      if (!keepGoing(res.location)) return res;
      res = await this.request(res.location);
    }
    return res;
  }
}

/**
 * What the emulator's hosted login leads to, after any number of redirects on its own origin:
 * `{callback: URL}` for a redirect off the emulator (the app's redirect_uri), `{formPost:
 * {action, fields}}` for an auto-submitting form_post page, or `{page}` for any other page.
 */
function outcome(ua, res) {
  if (res.status >= 300 && res.status < 400 && res.location) return { callback: res.location, res };
  if (res.status === 200) {
    const post = parseForms(res.text).find(
      (f) => f.attrs.action && new URL(f.attrs.action, res.url).origin !== EMULATOR_ORIGIN,
    );
    if (post) {
      return {
        formPost: {
          action: new URL(post.attrs.action, res.url),
          method: (post.attrs.method ?? 'get').toLowerCase(),
          fields: Object.fromEntries(post.inputs.filter((i) => i.name).map((i) => [i.name, i.value ?? ''])),
        },
        res,
      };
    }
  }
  return { page: res };
}

/** The login form on an emulator page (the one holding `input#password`), or a failed assertion. */
export function loginForm(ua, res) {
  const form = parseForms(res.text).find((f) =>
    f.inputs.some((i) => i.id === 'password' && i.name === 'password'),
  );
  assert.ok(
    form,
    `expected the hosted login page (a form with input#password[name=password]) at ${res.url.href}, ` +
      `got ${res.status}: ${snippet(res.text)}\n${ua.describe()}`,
  );
  assert.ok(
    form.inputs.some((i) => i.id === 'username' && i.name === 'username'),
    `the login form lacks input#username[name=username]: ${JSON.stringify(form.inputs)}`,
  );
  assert.ok(
    form.buttons.some((b) => b.type === 'submit' && b.name === 'action' && b.value === 'default'),
    `the login form lacks button[type=submit][name=action][value=default]: ${JSON.stringify(form.buttons)}`,
  );
  return form;
}

/**
 * GET `authorizeUrl`, and if the emulator shows its login page, submit `username`/`password`
 * (plus the page's hidden inputs, `action=default`) to the form's action. Returns the outcome
 * (see `outcome`) plus `{loginPageShown}`. With an SSO session no page is shown.
 */
export async function authorize(ua, authorizeUrl, { username, password } = {}) {
  const first = await ua.follow(authorizeUrl);
  const before = outcome(ua, first);
  if (!before.page) return { ...before, loginPageShown: false };
  assert.ok(username, `GET ${authorizeUrl} showed a page, but no credentials were given:\n${ua.describe()}`);
  const form = loginForm(ua, first);
  const action = new URL(form.attrs.action || first.url.href, first.url);
  assert.equal(
    (form.attrs.method ?? 'get').toLowerCase(),
    'post',
    `the login form must POST, it says method=${form.attrs.method}`,
  );
  const fields = [...hiddenFields(form), ['username', username], ['password', password], ['action', 'default']];
  const res = await ua.follow(action, { method: 'POST', form: fields });
  const after = outcome(ua, res);
  return { ...after, loginPageShown: true, loginPage: first };
}

/** `authorize` that must end on `redirectUri`; returns the callback URL. */
export async function loginForCallback(ua, authorizeUrl, redirectUri, credentials) {
  const result = await authorize(ua, authorizeUrl, credentials);
  if (!result.callback) {
    assert.fail(
      `expected a redirect to ${redirectUri} after logging in, got ` +
        (result.formPost ? `a form_post page to ${result.formPost.action}` : `${result.page.status}: ${snippet(result.page.text)}`) +
        `\n${ua.describe()}`,
    );
  }
  assert.equal(
    result.callback.origin + result.callback.pathname,
    new URL(redirectUri).origin + new URL(redirectUri).pathname,
    `redirected to ${result.callback.href}, not to ${redirectUri}\n${ua.describe()}`,
  );
  const error = result.callback.searchParams.get('error');
  assert.equal(
    error,
    null,
    `the callback carries error=${error} (${result.callback.searchParams.get('error_description')})\n${ua.describe()}`,
  );
  return result.callback;
}

/**
 * GET a logout URL and follow it to the app. Without an `id_token_hint`, Auth0's /oidc/logout
 * may first show a confirmation page; that page's form is submitted like a user would.
 */
export async function logout(ua, logoutUrl) {
  let res = await ua.follow(logoutUrl);
  if (res.status === 200) {
    const form = parseForms(res.text)[0];
    assert.ok(form, `GET ${logoutUrl} answered 200 without a form: ${snippet(res.text)}\n${ua.describe()}`);
    const button = form.buttons.find((b) => (b.type ?? 'submit') === 'submit' && b.name);
    const fields = form.inputs.filter((i) => i.name).map((i) => [i.name, i.value ?? '']);
    if (button) fields.push([button.name, button.value ?? '']);
    res = await ua.follow(new URL(form.attrs.action || res.url.href, res.url), {
      method: (form.attrs.method ?? 'get').toUpperCase(),
      form: fields,
    });
  }
  assert.ok(
    res.status >= 300 && res.status < 400 && res.location,
    `logout did not redirect back to the app: ${res.status} ${snippet(res.text)}\n${ua.describe()}`,
  );
  return res.location;
}

/** POST a form to the emulator's token endpoint with plain fetch; returns `{status, body}`. */
export async function tokenRequest(params) {
  const res = await fetch(`${ISSUER}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, text };
}

export { DOMAIN, ISSUER };
