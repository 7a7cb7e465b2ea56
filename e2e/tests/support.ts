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
  const [scroll, inner, wide] = await page.evaluate(() => {
    const w = window.innerWidth;
    // What sticks out, to say so when it does.
    const out = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w + 0.5)
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent ?? '').slice(0, 40)}`);
    return [document.documentElement.scrollWidth, w, out.join(' | ')] as const;
  });
  expect(scroll, `sticking out: ${wide}`).toBeLessThanOrEqual(inner);
}

const mailPort = Number(process.env.E2E_PORT ?? 3100) + 3;

/** The newest e-mail to `to` the server sent to the local SMTP sink (whose text contains
 * `having`), waiting for it to arrive. */
export async function mailTo(to: string, having = ''): Promise<string> {
  let found = '';
  await expect.poll(async () => {
    const list: { to: string[]; data: string }[] = await (await fetch(`http://127.0.0.1:${mailPort}/messages`)).json();
    found = list.filter((m) => m.to.includes(to) && m.data.includes(having)).map((m) => m.data).pop() ?? '';
    return found !== '';
  }, { message: `an e-mail to ${to}`, timeout: 20_000 }).toBe(true);
  return found;
}

/** The first link in a mail that starts with `origin + prefix`, as a path. */
export function linkIn(mail: string, origin: string, prefix: string): string {
  const at = mail.indexOf(origin + prefix);
  expect(at, `a link ${prefix}… in ${mail}`).toBeGreaterThanOrEqual(0);
  return mail.slice(at + origin.length).split(/[\s>]/)[0];
}
