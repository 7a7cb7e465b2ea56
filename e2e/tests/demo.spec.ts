import { test, expect, Page } from '@playwright/test';
import { hydrated, noSeriousViolations } from './support';

// The demo a newcomer meets (the e2e server runs with --demo): the owner lands on the dashboard
// and sees each state, searches, and follows a client into its status and plan; on a phone and
// in Dutch too; and axe-core finds nothing serious on these pages.
const owner = 'owner@demo-msp.example';
const password = 'lifeline-demo';

async function fits(page: Page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll).toBeLessThanOrEqual(inner);
}

test('the demo owner lands on a dashboard that tells the whole story', async ({ page }, info) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(owner);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/clients$/);

  // Totals across clients, and the clients worst first.
  await expect(page.getByTestId('total-breached')).toContainText('1');
  await expect(page.getByTestId('total-overdue')).toContainText('1');
  await expect(page.getByTestId('total-thin')).toContainText('1');
  const rows = page.getByTestId('client-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('Bakkerij Jansen');
  await expect(rows.nth(0)).toContainText(/breached/i);
  await expect(rows.nth(0).getByTestId('completeness')).toContainText('100 %');
  await expect(rows.nth(1)).toContainText('De Vries Logistiek');
  await expect(rows.nth(1).getByTestId('review-overdue')).toBeVisible();
  await expect(rows.nth(2)).toContainText('Tandartspraktijk Smit');
  await hydrated(page);
  await noSeriousViolations(page, 'the dashboard');
  await page.screenshot({ path: info.outputPath('dashboard-en.png'), fullPage: true });

  // Search narrows the list (and works as a plain link too).
  await page.getByRole('searchbox').fill('vries');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/clients\?q=vries/);
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('search-count')).toContainText('1 of 3');
  await page.goto('/clients?q=nobody-by-this-name');
  await expect(page.getByTestId('no-match')).toBeVisible();

  // From the dashboard into a client's live status and its plan.
  await page.goto('/clients');
  await rows.nth(0).getByTestId('client-counts').click();
  await expect(page).toHaveURL(/\/clients\/[0-9a-f-]{36}\/status$/);
  const cards = page.getByTestId('system-status');
  await expect(cards).toHaveCount(5);
  const books = cards.filter({ hasText: 'Boekhouding' });
  await expect(books).toContainText(/breached/i);
  // The chart says in words what it shows: the nightly backups failing for two days crossed the target.
  await expect(books.getByTestId('exposure-chart')).toHaveAttribute('aria-label', /went above the RPO target \(1 day\)/);
  await expect(cards.filter({ hasText: 'Kassasysteem' }).getByTestId('exposure-chart')).toHaveAttribute('aria-label', /stayed within the RPO target/);
  await page.screenshot({ path: info.outputPath('status-en.png'), fullPage: true });
  await hydrated(page);
  await noSeriousViolations(page, 'the status page');
  await page.goto('/clients');
  await rows.nth(0).getByTestId('completeness').click();
  await expect(page).toHaveURL(/\/clients\/[0-9a-f-]{36}\/plan$/);
  await expect(page.locator('main')).toContainText('Kassasysteem');
  await hydrated(page);
  await noSeriousViolations(page, 'the plan page');

  // Last month's SLA report draws each system's exposure against its RPO, and says it in words.
  const statusUrl = page.url().replace(/\/plan$/, '');
  const now = new Date();
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const month = `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
  await page.goto(`${statusUrl}/reports/${month}`);
  const charts = page.locator('figure.chart');
  await expect(charts.first()).toBeVisible();
  await expect(page.locator('figure.chart svg[role="img"]').first()).toHaveAttribute('aria-label', /against its RPO of/);
  await expect(page.locator('main')).toContainText('Kassasysteem: time since the newest restore point');
  await page.screenshot({ path: info.outputPath('report-en.png'), fullPage: true });

  // On a phone, in Dutch.
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: new URL('/', page.url()).toString() }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/clients');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Klanten in één oogopslag');
  await expect(page.getByTestId('total-breached')).toContainText('systemen met overschrijding');
  await fits(page);
  await page.screenshot({ path: info.outputPath('dashboard-nl-phone.png'), fullPage: true });
  await page.getByTestId('client-row').nth(0).getByTestId('client-counts').click();
  await expect(page.getByTestId('system-status').filter({ hasText: 'Boekhouding' })).toContainText('back-ups op rij mislukt');
  await expect(page.getByTestId('exposure-chart').first()).toHaveAttribute('aria-label', /Blootstelling over de afgelopen 7 dagen/);
  await fits(page);
  await page.screenshot({ path: info.outputPath('status-nl-phone.png'), fullPage: true });
});
