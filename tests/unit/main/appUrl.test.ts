/** The Electron navigation guard and IPC sender check (issue 18): only pages inside the renderer folder. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appUrlMatcher } from '../../../electron/main/modules/appUrl.ts';

const root = path.resolve('/opt/sam-annotate/dist/renderer');
const rootUrl = pathToFileURL(root).href;
const isAppUrl = appUrlMatcher(root);

describe('appUrlMatcher', () => {
  it('accepts the renderer page and files inside its folder, with a hash or query', () => {
    expect(isAppUrl(`${rootUrl}/index.html`)).toBe(true);
    expect(isAppUrl(`${rootUrl}/assets/app.js`)).toBe(true);
    expect(isAppUrl(`${rootUrl}/index.html#review`)).toBe(true);
    expect(isAppUrl(`${rootUrl}/index.html?x=1`)).toBe(true);
  });

  it('refuses a sibling folder whose name starts with the renderer folder name', () => {
    expect(isAppUrl(`${rootUrl}-x/index.html`)).toBe(false);
    expect(isAppUrl(`${rootUrl}x/index.html`)).toBe(false);
  });

  it('refuses paths that climb out of the folder, plainly or encoded', () => {
    expect(isAppUrl(`${rootUrl}/../x/index.html`)).toBe(false);
    expect(isAppUrl(`${rootUrl}/%2e%2e/x/index.html`)).toBe(false);
    expect(isAppUrl(`${rootUrl}/..%2Fx/index.html`)).toBe(false);
    expect(isAppUrl(`${rootUrl}%2F..%2Fx/index.html`)).toBe(false);
    // An encoded letter is the same path: renderer-x, still a sibling.
    expect(isAppUrl(`${rootUrl.slice(0, -1)}%72-x/index.html`)).toBe(false);
  });

  it('refuses the folder itself, other schemes and hosts, and query tricks', () => {
    expect(isAppUrl(rootUrl)).toBe(false);
    expect(isAppUrl(`${rootUrl}/`)).toBe(false);
    expect(isAppUrl(`https://evil.example/?${rootUrl}/index.html`)).toBe(false);
    expect(isAppUrl(`file:///tmp/evil.html?${rootUrl}/index.html`)).toBe(false);
    expect(isAppUrl(`file:///tmp/evil.html#${rootUrl}/index.html`)).toBe(false);
    expect(isAppUrl(`file://evil.example${new URL(rootUrl).pathname}/index.html`)).toBe(false);
    expect(isAppUrl(`sam-file://x${new URL(rootUrl).pathname}/index.html`)).toBe(false);
    expect(isAppUrl(`javascript:alert(1)//${rootUrl}/index.html`)).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(isAppUrl('')).toBe(false);
  });
});
