// Browser-test helpers: start the real `passerelle` binary on a free loopback port with demo
// data, drive Debian's chromium through playwright-core, and check pages with axe-core.
//
// Run: node --test e2e/
// Environment:
//   PASSERELLE_BIN   the binary to test (default target/debug/passerelle)
//   CHROMIUM_PATH    the browser (default /usr/bin/chromium; never downloaded by playwright)
//   E2E_VERBOSE=1    echo the server's output while the tests run
//   E2E_START_TIMEOUT_S  how long the server may take to print its URL (default 120)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOT_DIR = path.join(ROOT, 'e2e', 'screenshots');
const VERBOSE = Boolean(process.env.E2E_VERBOSE);
const SERVER_START_TIMEOUT_MS = 1000 * (Number(process.env.E2E_START_TIMEOUT_S) || 120);
const SERVER_STOP_TIMEOUT_MS = 15_000;

// A listening URL on loopback, with a real port (not the :0 that was asked for).
const URL_PATTERN = /http:\/\/127\.0\.0\.1:(?!0\b)\d+/;

// Each server runs in its own process group, so that stopping it also stops anything it
// started; whatever is still running when the tests exit is killed.
const running = new Set();
const signalGroup = (child, signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
};
process.on('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
});

// One demo login line, e.g.
//   "  Gendarme ou policier   officier@demo.passerelle.test   mot de passe : demo-officier-1357   (Brigade …)"
// (a long role label leaves a single space before the address).
const LOGIN_LINE = /^\s*(.+?)\s+([^\s@]+)@(\S+)\s+mot de passe\s*:\s*(\S+)/;

/**
 * The demo logins printed by `serve --demo`, by the address's local part:
 * { officier: { email, password, roleLabel }, intervenant: …, employeur: …, … }.
 */
export function parseLogins(lines) {
  const logins = {};
  for (const line of lines) {
    const m = line.match(LOGIN_LINE);
    if (m) logins[m[2]] = { email: `${m[2]}@${m[3]}`, password: m[4], roleLabel: m[1] };
  }
  return logins;
}

/** A TCP port free on 127.0.0.1 right now (a throwaway server binds port 0, then closes). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `passerelle serve --demo` on 127.0.0.1 (port 0 unless `port` is given) with a fresh
 * data directory, and resolves once it prints its URL:
 * { url, stop(), stdout, stderr, waitForLine(regex), logins }.
 * `stdout` and `stderr` are the lines printed so far; they keep growing while the server
 * runs. `logins` holds the demo accounts printed before the URL (see parseLogins).
 */
export async function startServer({ args = [], env = {}, port = 0 } = {}) {
  const bin = path.resolve(ROOT, process.env.PASSERELLE_BIN || 'target/debug/passerelle');
  if (!fs.existsSync(bin)) {
    throw new Error(`the passerelle binary is missing: ${bin} (build it with \`cargo build\`, or set PASSERELLE_BIN)`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-e2e-'));
  const child = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args], {
    cwd: dataDir,
    // No case activity unless a test asks for it (PASSERELLE_DEMO_MONTHS): the debug build
    // takes about 20 s to write three months of it.
    env: { ...process.env, PASSERELLE_LOG: 'info', PASSERELLE_DEMO_MONTHS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);

  const stdout = [];
  const stderr = [];
  const waiters = [];
  const onLine = (lines, label) => (line) => {
    lines.push(line);
    if (VERBOSE) process.stderr.write(`[passerelle ${label}] ${line}\n`);
    for (const w of [...waiters]) if (w.regex.test(line)) w.resolve(line);
  };
  readline.createInterface({ input: child.stdout }).on('line', onLine(stdout, 'out'));
  readline.createInterface({ input: child.stderr }).on('line', onLine(stderr, 'err'));

  // 'exit' is the process ending; 'close' comes after it, once its output has been read to
  // the end (or never, if a grandchild keeps the pipes open: stop() does not wait for it).
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const closed = new Promise((resolve) => child.once('close', resolve));
  const drained = () => Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
  const tail = () =>
    [...stdout.slice(-20).map((l) => `  out| ${l}`), ...stderr.slice(-40).map((l) => `  err| ${l}`)].join('\n') || '  (no output)';

  /** Resolves with the first line (stdout or stderr, past or future) matching regex. */
  const waitForLine = (regex, timeoutMs = SERVER_START_TIMEOUT_MS) => {
    const seen = [...stdout, ...stderr].find((l) => regex.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { regex };
      const settle = (fn, value) => {
        clearTimeout(timer);
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        fn(value);
      };
      waiter.resolve = (line) => settle(resolve, line);
      const timer = setTimeout(
        () => settle(reject, new Error(`no line matching ${regex} within ${timeoutMs / 1000} s; last output:\n${tail()}`)),
        timeoutMs,
      );
      waiters.push(waiter);
      exited.then(async ({ code, signal }) => {
        await drained();
        if (waiters.includes(waiter)) {
          settle(reject, new Error(`passerelle exited (code ${code}, signal ${signal}) before printing ${regex}; last output:\n${tail()}`));
        }
      });
    });
  };

  let started = false;
  let stopped = null;
  exited.then(async ({ code, signal }) => {
    await drained();
    if (started && !stopped) {
      process.stderr.write(`passerelle stopped on its own (code ${code}, signal ${signal}) while the tests ran; last output:\n${tail()}\n`);
    }
  });
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup(child, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), SERVER_STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      signalGroup(child, 'SIGTERM'); // leftovers of the group, if any
      await drained();
      child.stdout.destroy();
      child.stderr.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
      return exited;
    })();
    return stopped;
  };

  try {
    // The URL is expected on stdout; a log line on stderr that names it is accepted too.
    const line = await waitForLine(URL_PATTERN);
    const url = line.match(URL_PATTERN)[0];
    started = true;
    const logins = parseLogins([...stdout, ...stderr]);
    return { url, stop, stdout, stderr, waitForLine, dataDir, process: child, logins };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Launches Debian's chromium (headless; playwright gives it a fresh temporary profile). */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`chromium not found at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    // Playwright launches every browser with a new temporary --user-data-dir of its own and
    // removes it on close (it refuses --user-data-dir in args).
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Names resolve to nothing but loopback: a page that asks for an outside resource (the
      // OpenID provider's development pages import a web font, for instance) gets a failed
      // request instead of traffic leaving the machine.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
  });
}

/**
 * A page in a fresh context (no cookies shared with other pages). mobile: 390×844, touch.
 * The page records what goes wrong: page.problems.consoleErrors, page.problems.failedRequests
 * (HTTP status ≥ 400 or network failure), page.problems.pageErrors (uncaught exceptions).
 * Closing the page closes its context.
 */
export async function newPage(browser, { mobile = false } = {}) {
  const context = await browser.newContext({
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    ...(mobile
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : { viewport: { width: 1280, height: 900 } }),
  });
  const page = await context.newPage();
  const problems = { consoleErrors: [], failedRequests: [], pageErrors: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(String(error)));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    // A load the browser cancelled because the page moved on (a submit, a click) before it
    // finished, such as the DSFR's header icons, is not a failure of the server.
    if (reason === 'net::ERR_ABORTED') return;
    problems.failedRequests.push(`${request.url()} (${reason})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.url()} (HTTP ${response.status()})`);
  });
  page.on('close', () => context.close().catch(() => {}));
  page.problems = problems;
  return page;
}

let axeSource = null;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe-core on the page (WCAG 2.0/2.1 A and AA) and returns its violations array. */
export async function axeViolations(page) {
  axeSource ??= fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    const consoleErrorsBefore = page.problems?.consoleErrors.length;
    try {
      await page.addScriptTag({ content: axeSource });
    } catch {
      /* blocked by the page's Content-Security-Policy: evaluated below instead */
    }
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
      // The app's CSP (script-src 'self') refuses inline scripts; the DevTools protocol's
      // evaluation is not subject to it, so the page keeps its real CSP during the tests.
      await page.evaluate(axeSource);
      // Forget the CSP report that our own refused script tag logged.
      if (consoleErrorsBefore !== undefined) {
        const errors = page.problems.consoleErrors;
        const ours = errors.slice(consoleErrorsBefore).filter((e) => !/Content Security Policy/.test(e));
        errors.splice(consoleErrorsBefore, errors.length - consoleErrorsBefore, ...ours);
      }
    }
  }
  return page.evaluate(async (values) => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] });
    return results.violations;
  }, AXE_TAGS);
}

/** A readable summary of axe violations, for assertion messages. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `      ${n.target.join(' ')}\n        ${n.failureSummary?.replace(/\n/g, '\n        ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} node(s))\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/** Saves a full-page PNG to e2e/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---------------------------------------------------------------------------------------------
// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps).

/** Decodes RFC 4648 base32 (case, spaces and padding ignored). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of clean) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(text)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 30-second step a time (ms since the epoch) falls in. */
export const totpStep = (timeMs = Date.now()) => Math.floor(timeMs / 30_000);

/** The TOTP code of a base32 secret for a step (default: the current one). */
export function totp(secret, step = totpStep()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hmac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0x0f;
  const binary = hmac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/**
 * Waits, if needed, until the current 30-second step has at least `seconds` left, so that
 * what follows happens within one step.
 */
export async function waitForFreshStep(seconds = 15) {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < seconds * 1000) await new Promise((r) => setTimeout(r, left + 200));
}

// ---------------------------------------------------------------------------------------------
// Logging in through the pages, as a person would.

/**
 * Fills /connexion with an address and a password and submits it; resolves, once the next
 * page has loaded, with the response to the form's POST.
 */
export async function submitPassword(page, baseUrl, { email, password }) {
  await page.goto(`${baseUrl}/connexion`, { waitUntil: 'load' });
  await page.fill('#email', email);
  await page.fill('#password', password);
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/connexion');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

/**
 * On the enrolment page (/compte/second-facteur): reads the secret, submits the current code
 * and reads the recovery codes. Resolves { secret, step, code, recoveryCodes }.
 */
export async function enrolSecondFactor(page) {
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  const step = totpStep();
  const code = totp(secret, step);
  await page.fill('#code', code);
  await page.getByRole('button', { name: 'Activer le second facteur' }).click();
  await page.locator('#recovery-codes li code').first().waitFor();
  const recoveryCodes = (await page.locator('#recovery-codes li code').allInnerTexts()).map((c) => c.trim());
  return { secret, step, code, recoveryCodes };
}

/**
 * Submits a code on /connexion/second-facteur; resolves, once the next page has loaded,
 * with the response to the form's POST.
 */
export async function submitSecondFactor(page, code) {
  await page.fill('#code', code);
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/connexion/second-facteur');
  await page.getByRole('button', { name: 'Valider' }).click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response;
}

/**
 * Logs a demo account in with its password and, when asked, enrols a second factor; resolves
 * { secret, recoveryCodes } ({} for an account that needed none). For a fresh account only.
 */
export async function logInAndEnrol(page, baseUrl, login) {
  await submitPassword(page, baseUrl, login);
  if (new URL(page.url()).pathname === '/compte/second-facteur') {
    const enrolment = await enrolSecondFactor(page);
    await page.getByRole('link', { name: 'Continuer' }).click();
    await page.waitForLoadState('load');
    return enrolment;
  }
  return {};
}

/** Clicks the header's "Se déconnecter"; resolves once the page after it has loaded. */
export async function logOut(page) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/deconnexion');
  await page.locator('header').getByRole('button', { name: 'Se déconnecter' }).click();
  await posted;
  await page.waitForLoadState('load');
}

/** The header's link to /compte ("<name> — <role label>"), or null when logged out. */
export async function headerAccountText(page) {
  const link = page.locator('header a[href="/compte"]').first();
  if ((await link.count()) === 0) return null;
  return (await link.innerText()).replace(/\s+/g, ' ').trim();
}

/** Fails with the list of violations, printed, when axe finds any. */
export async function assertAccessible(page, what) {
  const violations = await axeViolations(page);
  if (violations.length > 0) console.log(`axe violations on ${what}:\n${formatViolations(violations)}`);
  assert.equal(violations.length, 0, `axe found ${violations.length} violation(s) on ${what}:\n${formatViolations(violations)}`);
}

/**
 * Starts a server and a browser together; if either fails, stops the other and throws.
 * Returns {server, browser}; stop both with `stopAll`.
 */
export async function startServerAndBrowser(options = {}) {
  const [s, b] = await Promise.allSettled([startServer(options), launchBrowser()]);
  if (s.status === 'rejected' || b.status === 'rejected') {
    await Promise.allSettled([b.value?.close(), s.value?.stop()]);
    throw s.status === 'rejected' ? s.reason : b.reason;
  }
  return { server: s.value, browser: b.value };
}

export async function stopAll({ server, browser } = {}) {
  await Promise.allSettled([browser?.close(), server?.stop()]);
}
