import { test, expect, Page, APIRequestContext } from '@playwright/test';

// The MSP's team page: the owner invites a technician, who sees the team but no controls; the
// owner promotes and then disables them, disabling only after a second, explicit click.
const password = 'correct horse battery';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function signedIn(page: Page, token: string) {
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: 'http://127.0.0.1' }]);
}

// The request context keeps the cookie the sign-up set, so it names its origin as a browser would.
async function accept(request: APIRequestContext, link: string, origin: string) {
  const token = link.split('/invite/')[1];
  const r = await request.post(`/api/v1/invites/${token}/accept`, { data: { password }, headers: { origin } });
  expect(r.status(), await r.text()).toBe(200);
  return (await r.json()).token as string;
}

test('owners invite, promote and disable team members; technicians only look', async ({ page, browser, request }, info) => {
  const stamp = Date.now();
  const signup = await request.post('/api/v1/auth/signup', {
    data: { msp_name: 'Team IT', name: 'Olga Owner', email: `olga+${stamp}@team.example`, password },
  });
  expect(signup.status()).toBe(201);
  const owner = (await signup.json()).token;
  await signedIn(page, owner);
  const created = await request.post('/api/v1/clients', {
    data: { name: 'Bakkerij Jansen' },
    headers: { authorization: `Bearer ${owner}`, origin: 'http://127.0.0.1' },
  });
  const client = (await created.json()).id;

  await page.goto('/staff');
  await hydrated(page);
  await expect(page.getByTestId('team')).toContainText('Olga Owner');
  await expect(page.getByTestId('team')).toContainText('(you)');
  await page.getByLabel('Name', { exact: true }).fill('Tom Technician');
  await page.getByLabel('E-mail').fill(`tom+${stamp}@team.example`);
  await page.locator('section.card select[name="role"]').selectOption('msp_technician');
  await page.getByRole('button', { name: 'Send invite' }).click();
  const link = (await page.getByTestId('invite-link').textContent()) ?? '';
  const tomRow = page.getByTestId('person').filter({ hasText: 'Tom Technician' });
  await expect(tomRow).toContainText('invited');
  const tom = await accept(request, link, new URL(page.url()).origin);

  // Tom sees his team and nothing he may not use.
  const context = await browser.newContext();
  const tomPage = await context.newPage();
  await signedIn(tomPage, tom);
  const base = info.project.use.baseURL;
  await tomPage.goto(`${base}/staff`);
  await hydrated(tomPage);
  await expect(tomPage.getByTestId('team')).toContainText('Olga Owner');
  await expect(tomPage.getByRole('button', { name: 'Send invite' })).toHaveCount(0);
  await expect(tomPage.locator('select')).toHaveCount(0);
  await expect(tomPage.getByText('Disable…')).toHaveCount(0);
  // Elsewhere too: he adds clients, but alert routing and invitations are for admins.
  await tomPage.goto(`${base}/clients`);
  await hydrated(tomPage);
  await expect(tomPage.getByRole('button', { name: 'Add client' })).toBeVisible();
  await expect(tomPage.getByTestId('alert-settings')).toHaveCount(0);
  await tomPage.goto(`${base}/clients/${client}`);
  await hydrated(tomPage);
  await expect(tomPage.getByTestId('client-name')).toHaveText('Bakkerij Jansen');
  await expect(tomPage.getByRole('button', { name: 'Send invite' })).toHaveCount(0);
  await context.addCookies([{ name: 'lifeline_lang', value: 'nl', url: 'http://127.0.0.1' }]);
  await tomPage.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [['/clients', 'clients'], [`/clients/${client}`, 'client']]) {
    await tomPage.goto(`${base}${path}`);
    await hydrated(tomPage);
    await tomPage.screenshot({ path: info.outputPath(`technician-${name}-nl-390.png`), fullPage: true });
    expect(await tomPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }
  await context.close();

  // The owner makes him an admin, then disables him after confirming.
  await page.reload();
  await hydrated(page);
  await expect(tomRow).toContainText('active');
  await tomRow.getByRole('combobox').selectOption('msp_admin');
  await tomRow.getByRole('button', { name: 'Save' }).click();
  await expect(tomRow).toContainText('Admin');
  await tomRow.getByText('Disable…').click();
  await page.screenshot({ path: info.outputPath('staff-en-desktop.png'), fullPage: true });
  await expect(tomRow).toContainText('can no longer sign in');
  await tomRow.getByRole('button', { name: 'Disable now' }).click();
  await expect(tomRow).toContainText('disabled');
  const me = await request.get('/api/v1/me', { headers: { authorization: `Bearer ${tom}` } });
  expect(me.status()).toBe(401);

  // In Dutch, on a phone.
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: 'http://127.0.0.1' }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/staff');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Teamlid uitnodigen' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('staff-nl-390.png'), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
