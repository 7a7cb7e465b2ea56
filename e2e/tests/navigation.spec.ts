import { test, expect, Page } from '@playwright/test';

// Links into the app from outside (an alert e-mail, a bookmark): signed out, the visitor signs in
// and lands where the link pointed; an address with nothing behind it is a 404 with a way back.
const password = 'correct horse battery';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('a signed-out deep link signs in and comes back; a missing page is a 404 with a way back', async ({ page, request }, info) => {
  const stamp = Date.now();
  const email = `deep+${stamp}@link.example`;
  const signup = await request.post('/api/v1/auth/signup', {
    data: { msp_name: 'Deep Link IT', name: 'Dana', email, password },
  });
  expect(signup.status()).toBe(201);
  const token = (await signup.json()).token;
  const created = await request.post('/api/v1/clients', {
    data: { name: 'Bakkerij Jansen' },
    headers: { authorization: `Bearer ${token}` },
  });
  const client = (await created.json()).id;

  await page.goto(`/clients/${client}/status`);
  await expect(page).toHaveURL(new RegExp(`/login\\?next=/clients/${client}/status$`));
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`:\\d+/clients/${client}/status$`));
  await expect(page.getByTestId('counts')).toBeVisible();

  for (const path of ['/clients/not-a-uuid/plan', `/clients/${crypto.randomUUID()}/status`]) {
    const res = await page.goto(path);
    expect(res?.status()).toBe(404);
    await expect(page.getByTestId('not-found')).toBeVisible();
  }
  await hydrated(page);
  await page.getByRole('link', { name: 'Go to the start page' }).click();
  await expect(page).toHaveURL(/:\d+\/(clients)?$/);

  // The same in Dutch on a phone, for people to look at.
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: page.url() }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/clients/not-a-uuid/plan');
  await expect(page.getByRole('link', { name: 'Naar de startpagina' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('not-found-nl-390.png'), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.context().clearCookies({ name: 'lifeline_session' });
  await page.goto(`/clients/${client}/plan`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.screenshot({ path: info.outputPath('login-next-nl-390.png'), fullPage: true });
});
