import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = process.env.PROVLOG_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Outside CI a missing Chromium skips them and says so;
 * in CI (`CI=true`) it is a failure, because nothing may be skipped there.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(
      `Chromium is required in CI but missing at ${CHROMIUM} (apt-get install chromium)`,
    );
  process.stderr.write(
    `\n[provlog tests] SKIPPED browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`,
  );
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
