import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { main } from '../src/main.js';
import type { RunningBoard } from '../src/main.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`pipeline-board e2e: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  console.warn(`\n⚠ pipeline-board e2e SKIPPED: ${CHROMIUM} is not installed (apt-get install -y chromium)\n`);
}
const SHOTS = fileURLToPath(new URL('../test-results/', import.meta.url));

describe.skipIf(!hasChromium)('pipeline board in headless Chromium', () => {
  let board: RunningBoard;
  let browser: Browser;
  beforeAll(async () => {
    board = await main({ port: 0, log: () => undefined });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await board?.close();
  });

  it('shows the board, rejects a move for a missing field, moves after filling it, and shows the history', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.goto(board.url);
    // the board: one column per stage, seeded deals with owner, amount and deadline
    await expect.poll(() => page.locator('.column').count()).toBe(6);
    await expect.poll(() => page.locator('.card').count()).toBe(40);
    expect(await page.locator('.deadline.breached').count()).toBeGreaterThan(0); // some deals are overdue, shown red
    const qualified = page.locator('.column[data-stage="qualified"] .card').first();
    const id = await qualified.getAttribute('data-id');
    const account = (await qualified.locator('.account').textContent())!;

    // move it: the blueprint requires a decision maker in 'proposal'
    await qualified.locator('button[data-event="propose"]').click();
    const notice = page.locator('#notice');
    await expect.poll(() => notice.textContent()).toMatch(/Rejected \(required_fields\).*needs field\(s\) 'decisionMaker'/);
    expect(await page.locator(`.column[data-stage="qualified"] .card[data-id="${id}"]`).count()).toBe(1);

    // fill the field and move again
    await page.locator('#fill input[name="decisionMaker"]').fill('Chief Financial Officer');
    await page.locator('#fill button[type="submit"]').click();
    await expect.poll(() => notice.textContent()).toContain(`Moved ${account} to proposal`);
    await expect.poll(() => page.locator(`.column[data-stage="proposal"] .card[data-id="${id}"]`).count()).toBe(1);

    // its activity log shows the move with the field that was filled
    await expect.poll(() => page.locator('#history').textContent()).toMatch(/propose qualified → proposal decisionMaker=Chief Financial Officer/);

    // drag a lead onto 'qualified'
    const leads = await page.locator('.column[data-stage="lead"] .card').count();
    const qualifiedCount = await page.locator('.column[data-stage="qualified"] .card').count();
    await page.locator('.column[data-stage="lead"] .card').first().dragTo(page.locator('.column[data-stage="qualified"] h2'));
    await expect.poll(() => notice.textContent()).toMatch(/Moved .* to qualified/);
    await expect.poll(() => page.locator('.column[data-stage="lead"] .card').count()).toBe(leads - 1);
    expect(await page.locator('.column[data-stage="qualified"] .card').count()).toBe(qualifiedCount + 1);

    // the forecast panel draws the fan chart
    await expect.poll(() => page.locator('#fan svg').count(), { timeout: 60_000 }).toBe(1);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}board.png`, fullPage: true });
  });
});
