// Browser-test helpers: start the real `passerelle` binary on a free loopback port with demo
// data, drive Debian's chromium through playwright-core, and check pages with axe-core.
//
// Run: node --test e2e/
// Environment:
//   PASSERELLE_BIN   the binary to test (default target/debug/passerelle)
//   CHROMIUM_PATH    the browser (default /usr/bin/chromium; never downloaded by playwright)
//   E2E_VERBOSE=1    echo the server's output while the tests run
//   E2E_START_TIMEOUT_S  how long the server may take to print its URL (default 120)

import { spawn } from 'node:child_process';
import fs from 'node:fs';
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

/**
 * Starts `passerelle serve --demo` on 127.0.0.1:0 with a fresh data directory, and resolves
 * once it prints its URL: { url, stop(), stdout, stderr, waitForLine(regex) }.
 * `stdout` and `stderr` are the lines printed so far (the demo logins, for instance); they
 * keep growing while the server runs.
 */
export async function startServer({ args = [], env = {} } = {}) {
  const bin = path.resolve(ROOT, process.env.PASSERELLE_BIN || 'target/debug/passerelle');
  if (!fs.existsSync(bin)) {
    throw new Error(`the passerelle binary is missing: ${bin} (build it with \`cargo build\`, or set PASSERELLE_BIN)`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-e2e-'));
  const child = spawn(bin, ['serve', '--demo', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args], {
    cwd: dataDir,
    env: { ...process.env, PASSERELLE_LOG: 'info', ...env },
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
    return { url, stop, stdout, stderr, waitForLine, dataDir, process: child };
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
  page.on('requestfailed', (request) => problems.failedRequests.push(`${request.url()} (${request.failure()?.errorText})`));
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
