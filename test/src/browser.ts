import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Debian's Chromium: `apt-get install -y chromium` (.ci/run installs it); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Without the networking flags Chromium keeps trying to reach the internet on its own. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** The folder a browser test writes its screenshots and downloads to: `TEST_OUTPUT_DIR` or test/output/<name>. */
export function outputDir(name: string): string {
  const dir = resolve(process.env.TEST_OUTPUT_DIR ?? join(__dirname, '..', 'output'), name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Records every request a page makes that is not for `origin` (data: and blob: URLs are the page's
 * own), so a test can prove that nothing leaves the platform.
 */
export function watchForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.origin !== origin) foreign.push(request.url());
  });
  return foreign;
}
