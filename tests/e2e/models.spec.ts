/**
 * The Models panel (issue 6) in serve mode on a fresh data folder: the built-in demo model runs and the panel says
 * so; a model folder is added, used (the status bar shows it, running on the CPU), and the demo model used again;
 * the added folder is then removed from the list (its files stay). Adding folders and installing by URL need
 * `serve --allow-model-install` (issue 18): without it the panel says so and the bridge refuses them.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_MODEL,
  type Served,
  callBridge,
  newPage,
  shot,
  type Session,
  closeSession,
  openSession,
} from './harness.ts';

const FIXTURE_MODEL_HF = path.join(path.dirname(FIXTURE_MODEL), 'tiny-random-hf');

let session: Session;
let served: Served;
let browser: Browser;

beforeAll(async () => {
  session = await openSession({ model: null, serveFlags: () => ['--allow-model-install'] });
  served = session.served;
  browser = session.browser;
}, 180_000);

afterAll(() => closeSession(session));

const status = (page: Page) => page.getByTestId('status');
const row = (page: Page, name: string) => page.getByTestId(`model-row-${name}`);

describe('Models panel', () => {
  it('adds a model folder, switches to it and back', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(served.url);
    await status(page)
      .getByText(/Model: sam-annotate-demo/)
      .waitFor({ timeout: 90_000 });

    // The demo model is in use: the toolbar's badge opens the panel, which says how to get a real SAM.
    await page.getByTestId('demo-badge').click();
    const dialog = page.getByRole('dialog', { name: 'Models' });
    await dialog.waitFor();
    await dialog.getByTestId('demo-how-to').waitFor();
    await row(page, 'sam-annotate-demo').getByTestId('model-in-use-badge').waitFor();
    await dialog
      .getByTestId('catalog-sam-vit-b')
      .getByText(/needs Python with torch/)
      .waitFor();
    await shot(page, '60-models-demo');

    await dialog.getByTestId('model-folder').fill(FIXTURE_MODEL);
    await dialog.getByTestId('model-folder-add').click();
    await row(page, 'tiny-random').waitFor();
    // The first real model becomes the default; the demo model keeps running until told.
    await expect.poll(() => row(page, 'tiny-random').getByTestId('model-default').textContent()).toBe('✓');
    await expect
      .poll(() => row(page, 'tiny-random').textContent())
      .toMatch(/SAM 1 tiny_test.*sam-annotate.*box, refinement, single-mask.*256 px/);
    // The catalog names each entry's family (issue 14).
    await dialog.getByTestId('catalog-family-sam2.1-hiera-tiny-onnx').getByText('SAM 2.1').waitFor();

    await dialog.getByTestId('model-use-tiny-random').click();
    await row(page, 'tiny-random').getByTestId('model-in-use-badge').waitFor({ timeout: 60_000 });
    await expect.poll(() => dialog.getByTestId('model-provider').textContent()).toMatch(/encoder cpu/);
    await status(page)
      .getByText(/Model: tiny-random/)
      .waitFor();
    expect(await status(page).textContent()).toMatch(/Model: tiny-random\s*on\s*cpu/);
    await shot(page, '61-models-switched');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByTestId('demo-badge').count()).toBe(0);
    // The image is encoded again by the new model.
    await page.getByTestId('embedding-state').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });

    expect(await status(page).getByTestId('refinement-off').count()).toBe(0);

    // A model whose decoder takes no mask input: the panel says what it supports, the status bar that
    // refinement is off (issue 14).
    await page.getByTestId('models-button').click();
    await dialog.getByTestId('model-folder').fill(FIXTURE_MODEL_HF);
    await dialog.getByTestId('model-folder-add').click();
    await expect
      .poll(() => row(page, 'tiny-random-hf').getByTestId('model-supports').textContent())
      .toBe('points only');
    await dialog.getByTestId('model-use-tiny-random-hf').click();
    await status(page)
      .getByText(/Model: tiny-random-hf/)
      .waitFor({ timeout: 60_000 });
    await status(page).getByTestId('refinement-off').waitFor();
    await shot(page, '61b-models-refinement-off');

    // Back to the demo model, then forget the added folder.
    await dialog.getByTestId('model-use-sam-annotate-demo').click();
    await status(page)
      .getByText(/Model: sam-annotate-demo/)
      .waitFor({ timeout: 60_000 });
    expect(await status(page).getByTestId('refinement-off').count()).toBe(0);
    await page.getByTestId('demo-badge').waitFor();
    await row(page, 'sam-annotate-demo').getByTestId('model-in-use-badge').waitFor();
    await dialog.getByTestId('model-remove-tiny-random').click();
    await dialog.getByTestId('model-remove-confirm-tiny-random').click();
    await expect.poll(() => row(page, 'tiny-random').count()).toBe(0);
    await dialog.getByText(/removed tiny-random \(its folder was left in place\)/).waitFor();
    await shot(page, '62-models-back');
    expect(errors).toEqual([]);
  });
});

describe('Models panel on a server started without --allow-model-install', () => {
  let plain: Session;
  beforeAll(async () => {
    plain = await openSession();
  }, 180_000);
  afterAll(() => closeSession(plain));

  it('says installs from folders and URLs are off, and the bridge refuses them', async () => {
    const { page, errors } = await newPage(plain.browser);
    await page.goto(plain.served.url);
    await page.getByTestId('models-button').click();
    const dialog = page.getByRole('dialog', { name: 'Models' });
    await dialog
      .getByTestId('model-folder-disabled')
      .getByText(/--allow-model-install/)
      .waitFor();
    await dialog
      .getByTestId('model-urls-disabled')
      .getByText(/--allow-model-install/)
      .waitFor();
    expect(await dialog.getByTestId('model-folder').count()).toBe(0);
    expect(await dialog.getByTestId('model-urls').count()).toBe(0);
    // The catalog stays installable.
    await dialog.getByTestId('catalog-install-sam-vit-b').waitFor();
    await shot(page, '63-models-install-off');

    // A client that skips the page is refused too, and nothing is registered.
    await expect(callBridge(plain.served, 'addModelFolder', { dir: FIXTURE_MODEL })).rejects.toThrow(
      /adding a model folder of the server is turned off on this server.*--allow-model-install/,
    );
    await expect(
      callBridge(plain.served, 'installModel', {
        urls: ['http://127.0.0.1:9/encoder.onnx', 'http://127.0.0.1:9/decoder.onnx'],
        name: 'from-urls',
      }),
    ).rejects.toThrow(/installing models from URLs is turned off on this server/);
    const list = await callBridge<{ installed: { name: string }[] }>(plain.served, 'listModels');
    expect(list.installed.map((m) => m.name)).toEqual(['sam-annotate-demo']);
    expect(errors).toEqual([]);
  });
});
