// The chat's page (lessons 19's public/, written for the learner) in headless Chromium, against
// the websocket-chat reference: one form shows at a time, Send before a join says so instead of
// throwing, and Join pressed twice opens one socket (a refused join is asked again on it).
// Skipped where /usr/bin/chromium is missing, except in CI (CI installs it).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, haveChromium, launchChromium } from './support/chromium.ts';
import { startReference, type Reference } from './support/reference.ts';

if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run, APT_PACKAGES).`);

/** Counts the WebSockets the page opens, and keeps every error the page throws. */
const COUNT_SOCKETS = `
  window.__sockets = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets++;
    }
  };
`;

describe.skipIf(!haveChromium)(`the chat page in headless Chromium${haveChromium ? '' : ' (skipped: apt install chromium)'}`, () => {
  let chat: Reference;
  let context: BrowserContext;
  let profile: string;
  beforeAll(async () => {
    chat = await startReference('websocket-chat', { startTimeoutMs: 15_000 });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-chromium-'));
    context = await launchChromium(profile);
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await chat?.program.stop();
  });

  /** A fresh page of the chat, with its errors collected. */
  async function open(): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript(COUNT_SOCKETS);
    await page.goto(`${chat.base}/`);
    return { page, errors };
  }

  // Page scripts are strings: this project's TypeScript has no DOM types.
  const sockets = (page: Page) => page.evaluate<number>('window.__sockets');

  test('shows the join form alone until the welcome, then the message form alone', { timeout: 60_000 }, async () => {
    const { page, errors } = await open();
    // `form { display: flex }` outranks the browser's [hidden] rule unless the page restores it.
    expect(await page.isVisible('#join')).toBe(true);
    expect(await page.isVisible('#say')).toBe(false);
    await page.fill('input[name=name]', 'ann');
    await page.fill('input[name=room]', 'page-forms');
    await page.click('#join button');
    await page.waitForSelector('#status:has-text("You are ann in page-forms")', { timeout: 10_000 });
    expect(await page.isVisible('#say')).toBe(true);
    expect(await page.isVisible('#join')).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('says "Not connected" for a message sent before joining, instead of throwing', { timeout: 60_000 }, async () => {
    const { page, errors } = await open();
    // The form is hidden until the welcome (a click cannot reach it), but a script or an old page
    // layout can still submit it.
    await page.evaluate(`{
      const form = document.getElementById('say');
      form.elements.text.value = 'too early';
      form.requestSubmit();
    }`);
    await page.waitForSelector('#log li:has-text("Not connected")', { timeout: 5_000 });
    expect(errors).toEqual([]);
    expect(await sockets(page)).toBe(0);
    await page.close();
  });

  test('opens one socket when Join is pressed twice, and asks again on it after a refused join', { timeout: 60_000 }, async () => {
    const first = await open();
    await first.page.fill('input[name=name]', 'ann');
    await first.page.fill('input[name=room]', 'page-twice');
    // Two submits before the socket opens: the second must not open another.
    await first.page.evaluate(`{
      const form = document.getElementById('join');
      form.requestSubmit();
      form.requestSubmit();
    }`);
    await first.page.waitForSelector('#status:has-text("You are ann in page-twice, with ann.")', { timeout: 10_000 });
    expect(await sockets(first.page)).toBe(1);

    // A second page asks for the same name: refused, the connection kept. Another name, another
    // Join: on the same socket.
    const second = await open();
    await second.page.fill('input[name=name]', 'ann');
    await second.page.fill('input[name=room]', 'page-twice');
    await second.page.click('#join button');
    await second.page.waitForSelector('#log li:has-text("is taken")', { timeout: 10_000 });
    await second.page.fill('input[name=name]', 'bea');
    await second.page.click('#join button');
    await second.page.waitForSelector('#status:has-text("You are bea in page-twice, with ann, bea.")', { timeout: 10_000 });
    expect(await sockets(second.page)).toBe(1);
    expect([...first.errors, ...second.errors]).toEqual([]);
    await first.page.close();
    await second.page.close();
  });
});
