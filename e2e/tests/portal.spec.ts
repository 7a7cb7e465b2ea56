import { test, expect, Page, APIRequestContext } from '@playwright/test';
import { hydrated, noSeriousViolations } from './support';

// The MSP's housekeeping: renaming and archiving a client (asked first, undone by bringing it
// back), the audit trail that records it, and switching between two MSPs one account works for.
const password = 'correct horse battery';
// Requests from the test's own context carry the cookie a sign-up set: they name their origin.
const origin = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

async function signedIn(page: Page, token: string) {
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: 'http://127.0.0.1' }]);
}

async function signup(request: APIRequestContext, msp: string, name: string, email: string) {
  // The request context keeps the cookie a sign-up set, so it names its origin as a browser would.
  const r = await request.post('/api/v1/auth/signup', { data: { msp_name: msp, name, email, password }, headers: { origin } });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()).token as string;
}

test('a client is renamed, archived after asking, brought back, and the audit log tells it', async ({ page, request }, info) => {
  const stamp = Date.now();
  const owner = await signup(request, 'Archive IT', 'Ada Owner', `ada+${stamp}@archive.example`);
  const created = await request.post('/api/v1/clients', {
    data: { name: 'Garage Pietersen' },
    headers: { authorization: `Bearer ${owner}`, origin },
  });
  const client = (await created.json()).id;
  await signedIn(page, owner);

  await page.goto(`/clients/${client}`);
  await hydrated(page);
  const settings = page.getByTestId('client-settings');
  await settings.locator('summary').first().click();
  await settings.getByLabel('Client name').fill('Garage Pietersen & Zn');
  await settings.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('client-name')).toHaveText('Garage Pietersen & Zn');

  // Saved, the page shows the new name everywhere and the settings drawer has closed.
  await expect(settings.getByLabel('Client name')).toBeHidden();
  await settings.locator('summary').first().click();
  // Archiving says what it means before it happens.
  await settings.getByText('Archive…').click();
  await expect(settings).toContainText('no longer monitored');
  await settings.getByRole('button', { name: 'Archive now' }).click();
  await expect(page.getByTestId('archived')).toContainText('Archived on');
  await page.goto('/clients');
  await expect(page.getByTestId('client-row')).toHaveCount(0);
  await expect(page.getByTestId('archived-clients')).toContainText('Garage Pietersen & Zn');
  await page.getByTestId('archived-clients').getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/clients/${client}$`));
  await hydrated(page);
  await page.getByTestId('client-settings').locator('summary').first().click();
  await page.getByTestId('restore').click();
  await expect(page.getByTestId('archived')).toHaveCount(0);
  await page.goto('/clients');
  await expect(page.getByTestId('client-row')).toHaveCount(1);

  // The audit log, newest first.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  const entries = page.getByTestId('audit-entry');
  await expect(entries.nth(0)).toContainText('brought back client');
  await expect(entries.nth(1)).toContainText('archived client');
  await expect(entries.nth(2)).toContainText('changed client');
  await expect(entries.nth(0)).toContainText('Ada Owner');
  await hydrated(page);
  await noSeriousViolations(page, 'the audit log');
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: 'http://127.0.0.1' }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/audit');
  await expect(entries.nth(0)).toContainText('klant teruggehaald');
  await page.screenshot({ path: info.outputPath('audit-nl-390.png'), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.goto(`/clients/${client}`);
  await hydrated(page);
  await page.getByTestId('client-settings').locator('summary').first().click();
  await page.screenshot({ path: info.outputPath('client-settings-nl-390.png'), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('an account in two MSPs switches between them from the header', async ({ page, request }) => {
  const stamp = Date.now();
  const email = `sam+${stamp}@two.example`;
  await signup(request, 'First IT', 'Sam', email);
  const second = await signup(request, 'Second IT', 'Sue', `sue+${stamp}@two.example`);
  const invite = await request.post('/api/v1/staff', {
    data: { email, name: 'Sam', role: 'msp_admin' },
    headers: { authorization: `Bearer ${second}`, origin },
  });
  expect(invite.status(), await invite.text()).toBe(201);
  const token = (await invite.json()).invite_token;
  const accepted = await request.post(`/api/v1/invites/${token}/accept`, { data: { password }, headers: { origin } });
  expect(accepted.status(), await accepted.text()).toBe(200);

  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toContainText('First IT');
  const switcher = page.getByTestId('switcher');
  await switcher.locator('summary').click();
  await switcher.getByRole('button', { name: /Second IT/ }).click();
  await expect(page.getByTestId('who')).toContainText('Second IT');
  await expect(page).toHaveURL(/\/clients$/);
});

test('a template made from a client plan starts the next client, and can be removed after asking', async ({ page, request }, info) => {
  const stamp = Date.now();
  const owner = await signup(request, 'Template IT', 'Tess', `tess+${stamp}@template.example`);
  const created = await request.post('/api/v1/clients', {
    data: { name: 'Bakery One', template: 'builtin-en' },
    headers: { authorization: `Bearer ${owner}`, origin },
  });
  expect(created.status()).toBe(201);
  await signedIn(page, owner);

  await page.goto('/templates');
  await hydrated(page);
  const fromClient = page.getByTestId('from-client');
  await fromClient.getByLabel('Client').selectOption({ label: 'Bakery One' });
  await fromClient.getByLabel('Name of the new template').fill('Bakery standard');
  await fromClient.getByRole('button', { name: 'Create template' }).click();
  const mine = page.getByTestId('template').filter({ hasText: 'Bakery standard' });
  await expect(mine).toContainText('3 processes');
  await noSeriousViolations(page, 'the template library');

  // The next client starts from it.
  await page.goto('/clients');
  await hydrated(page);
  await page.getByLabel('Client name').fill('Bakery Two');
  await page.getByTitle('Start the plan from').selectOption({ label: 'Bakery standard (en)' });
  await page.getByRole('button', { name: 'Add client' }).click();
  await expect(page.getByTestId('client-row').filter({ hasText: 'Bakery Two' })).toBeVisible();
  const list = await (await request.get('/api/v1/clients', { headers: { authorization: `Bearer ${owner}` } })).json();
  const two = list.find((c: { name: string }) => c.name === 'Bakery Two').id;
  const plan = await (await request.get(`/api/v1/clients/${two}/plan`, { headers: { authorization: `Bearer ${owner}` } })).json();
  expect(plan.processes.length).toBe(3);

  await page.goto('/templates');
  await hydrated(page);
  await mine.getByText('Remove…').click();
  await expect(mine).toContainText('keep what they took');
  await mine.getByRole('button', { name: 'Remove now' }).click();
  await expect(page.getByTestId('template').filter({ hasText: 'Bakery standard' })).toHaveCount(0);
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: 'http://127.0.0.1' }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/templates');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Plansjablonen');
  await page.screenshot({ path: info.outputPath('templates-nl-390.png'), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
