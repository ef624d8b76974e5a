// Debian's Chromium for the browser tests, and where their screenshots go.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHOTS = `${ROOT}artifacts/screenshots`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A headless Chromium (`$CHROMIUM_PATH`, else /usr/bin/chromium); screenshots' folder made. */
export async function launchChromium() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Saves what `page` shows as artifacts/screenshots/NAME.png. */
export const screenshot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
