import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

// Shared by the specs: waiting for the wasm to take over, and axe-core's verdict on a page.

export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** No serious or critical accessibility violation on the page as it stands. */
export async function noSeriousViolations(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(serious, `axe on ${what}`).toEqual([]);
}

/** Nothing sticks out sideways: the page fits the viewport's width (a phone's, say). */
export async function fitsWidth(page: Page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll).toBeLessThanOrEqual(inner);
}
