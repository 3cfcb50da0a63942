/**
 * A page on another port of 127.0.0.1 against the user's serve session (issue 18). Chromium counts that page as
 * same-site, so it sends the SameSite=Strict cookie the printed URL set: its fetch, form POST and <img> must
 * change nothing and get nothing, and the user's own page keeps working.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATH, THUMB_PATH } from '../../electron/common/bridge.ts';
import { encodeWire } from '../../electron/common/wire.ts';
import type { CategoryItem } from '../../electron/ipc/contract.ts';
import { type Session, callBridge, closeSession, openSession, shot } from './harness.ts';

/** The other local app's page, with helpers for the test to call (in the page's own scripts: no DOM types here). */
const ELSEWHERE_PAGE = `<!doctype html><title>another local app</title><iframe name="sink"></iframe>
<script>
  function postForm(target, name, value) {
    const form = document.createElement('form');
    Object.assign(form, { method: 'POST', action: target, enctype: 'text/plain', target: 'sink' });
    const input = document.createElement('input');
    Object.assign(input, { name, value });
    form.append(input);
    document.body.append(form);
    form.submit();
  }
  function imageWidth(src) {
    const img = document.createElement('img');
    return new Promise((resolve) => {
      img.onload = img.onerror = () => resolve(img.naturalWidth);
      img.src = src;
      document.body.append(img);
    });
  }
</script>`;

let session: Session;
let elsewhere: http.Server;
let elsewhereUrl: string;

beforeAll(async () => {
  session = await openSession();
  elsewhere = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(ELSEWHERE_PAGE);
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`;
}, 240_000);

afterAll(async () => {
  await new Promise((resolve) => elsewhere?.close(resolve));
  await closeSession(session);
});

/**
 * What the other page tries, in the browser, with the cookie of the serve origin `api`: fetch in both modes, a
 * form POST, an <img>. Resolves once each got its answer; the <img>'s width (0 = not loaded).
 */
async function attack(page: Page, api: string): Promise<number> {
  const target = `${api}${API_PATH}/addCategory`;
  await page.evaluate(
    async ({ target, body }) => {
      const bytes = new Uint8Array(body);
      await fetch(target, { method: 'POST', credentials: 'include', body: bytes }).catch(() => undefined);
      await fetch(target, { method: 'POST', credentials: 'include', mode: 'no-cors', body: bytes });
    },
    { target, body: Array.from(encodeWire([{ name: 'pwned-fetch' }])) },
  );
  // A form can only send text; this one spells a wire message (magic, length, JSON) with its name=value line.
  const json = '[{"name":"pwned-form","x":"="}]';
  const name = `SAMW${String.fromCharCode(json.length)}\0\0\0${json.slice(0, json.indexOf('='))}`;
  const value = json.slice(json.indexOf('=') + 1);
  const formAnswered = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST');
  await page.evaluate(`postForm(${[target, name, value].map((a) => JSON.stringify(a)).join(', ')})`);
  await formAnswered;
  return page.evaluate<number>(`imageWidth(${JSON.stringify(`${api}${THUMB_PATH}/1`)})`);
}

describe('serve mode and another local page', () => {
  it('gives a page on another port nothing, even with the cookie, and the real page keeps working', async () => {
    // One browser context for both pages, as one browser profile: the other page gets the serve origin's cookie.
    const context = await session.browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(session.served.url);
    await expect.poll(() => page.locator('.image-row').count(), { timeout: 60_000 }).toBe(2);
    const api = new URL(session.served.url).origin;
    // The printed URL set the page's cookie: the other page's requests will carry it.
    const cookies = await context.cookies(api);
    expect(cookies).toHaveLength(1);

    const other = await context.newPage();
    // Every request the other page sends to the serve origin, and how it ended: a status, or a failure (the
    // browser blocks some refused answers before Playwright sees a status, e.g. the CORS fetch).
    const outcomes = new Map<string, string | number>();
    const key = (request: Request) => `${request.method()} ${request.url()} #${outcomes.size}`;
    const pending = new Map<Request, string>();
    other.on('request', (request) => {
      if (!request.url().startsWith(api)) return;
      pending.set(request, key(request));
      outcomes.set(pending.get(request)!, 'pending');
    });
    other.on('response', (response) => {
      const name = pending.get(response.request());
      if (name) outcomes.set(name, response.status());
    });
    other.on('requestfailed', (request) => {
      const name = pending.get(request);
      if (name && outcomes.get(name) === 'pending') outcomes.set(name, 'failed');
    });
    await other.goto(elsewhereUrl);
    const thumbWidth = await attack(other, api);
    await other.close();
    const categories = await callBridge<CategoryItem[]>(session.served, 'listCategories');
    // fetch (cors, no-cors), form, <img>: each refused (403) or blocked by the browser, nothing added, no image.
    const ended = [...outcomes.values()];
    expect(ended.length).toBeGreaterThanOrEqual(4);
    expect({
      ended,
      added: categories.map((c) => c.name).filter((name) => name.startsWith('pwned')),
      thumbWidth,
    }).toEqual({ ended: ended.map((e) => (e === 'failed' ? e : 403)), added: [], thumbWidth: 0 });

    // The real page: adds a category through the API, shows thumbnails, reloads from the cookie alone.
    await page.getByLabel('New category name').fill('kept');
    await page.getByLabel('New category name').press('Enter');
    await page.locator('.category-name', { hasText: 'kept' }).waitFor();
    await page.goto(`${api}/`);
    await expect.poll(() => page.locator('.image-row').count(), { timeout: 60_000 }).toBe(2);
    const thumb = page.locator('.image-row img').first();
    await expect
      .poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    await page.locator('.category-name', { hasText: 'kept' }).waitFor();
    expect(cookies.map((c) => c.name)).toEqual([`sam_token_${new URL(api).port}`]);
    await shot(page, '90-after-cross-origin-attempts');
    expect(errors).toEqual([]);
    await context.close();
  });
});
