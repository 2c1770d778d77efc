// Headless Chromium (Debian's package, driven by playwright-core) as a real client for the
// project's tests. CI installs it (.ci/run, APT_PACKAGES); elsewhere the tests that need it skip.

import fs from 'node:fs';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = fs.existsSync(CHROMIUM);

/**
 * A fresh browser with its own profile folder. QUIC off (loopback HTTP/1.1 only), no sandbox (root
 * in CI), no background traffic: the only requests are the test's. `extraArgs` are added to the
 * command line (`--host-resolver-rules=…` for names that resolve to loopback).
 */
export async function launchChromium(profile: string, extraArgs: string[] = []): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
