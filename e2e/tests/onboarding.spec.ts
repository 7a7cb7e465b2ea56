import { test, expect, Page } from '@playwright/test';

const password = 'correct horse battery';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('an MSP signs up, adds clients, invites a client admin who sees only their own company', async ({ page, browser }) => {
  const stamp = Date.now();
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign up' }).first().click();
  await expect(page).toHaveURL(/\/signup$/);

  // Inline validation before anything is sent.
  const email = page.getByLabel('E-mail');
  await email.fill('not-an-email');
  await email.blur();
  await expect(page.getByText('E-mail is not an e-mail address')).toBeVisible();

  await page.getByLabel('Company name (your MSP)').fill('Kees IT Beheer');
  await page.getByLabel('Your name').fill('Kees de Boer');
  await email.fill(`kees+${stamp}@kees-it.example`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/clients$/);
  await expect(page.getByTestId('empty-clients')).toBeVisible();
  await expect(page.getByTestId('who')).toContainText('Kees IT Beheer');

  for (const name of ['Bakkerij Jansen', 'Garage Pietersen']) {
    await page.getByLabel('Client name').fill(name);
    await page.getByRole('button', { name: 'Add client' }).click();
    await expect(page.getByTestId('client-list')).toContainText(name);
  }

  await page.getByRole('link', { name: 'Bakkerij Jansen' }).click();
  await expect(page.getByTestId('client-name')).toHaveText('Bakkerij Jansen');
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('Anna Jansen');
  await page.getByLabel('E-mail').fill(`anna+${stamp}@bakkerij.example`);
  await page.getByLabel('Role').selectOption('client_admin');
  await page.getByRole('button', { name: 'Send invite' }).click();
  const link = await page.getByTestId('invite-link').textContent();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invite\/[A-Za-z0-9_-]{40,}$/);
  await expect(page.getByTestId('users')).toContainText('Anna Jansen');

  // The invitee, in a browser of her own.
  const context = await browser.newContext();
  const anna = await context.newPage();
  await anna.goto(link!);
  await hydrated(anna);
  await anna.getByLabel('Choose a password').fill(password);
  await anna.getByRole('button', { name: 'Accept invite' }).click();
  await expect(anna).toHaveURL(/\/home$/);
  await expect(anna.getByTestId('company')).toHaveText('Bakkerij Jansen');
  await expect(anna.getByText('Managed by Kees IT Beheer')).toBeVisible();
  await expect(anna.locator('body')).not.toContainText('Garage Pietersen');

  // As client admin she keeps her own people: she invites a colleague.
  await anna.getByLabel('Name').fill('Piet Bakker');
  await anna.getByLabel('E-mail').fill(`piet+${stamp}@bakkerij.example`);
  await anna.getByLabel('Role').selectOption('client_member');
  await anna.getByRole('button', { name: 'Send invite' }).click();
  await expect(anna.getByTestId('invite-link')).toBeVisible();
  await expect(anna.getByTestId('users')).toContainText('Piet Bakker');

  // Her API view holds one client, and the other one does not exist for her.
  const clients = await (await anna.request.get('/api/v1/clients')).json();
  expect(clients.map((c: { name: string }) => c.name)).toEqual(['Bakkerij Jansen']);
  // The MSP's dashboard is not hers: she is sent to her company's page.
  await anna.goto('/clients');
  await expect(anna).toHaveURL(/\/home$/);
  await expect(anna.locator('main')).not.toContainText('Garage Pietersen');
  await context.close();
});

test('the language switch turns the UI Dutch and is remembered', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByRole('link', { name: 'NL', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Inloggen' })).toBeVisible();
  await expect(page.getByLabel('Wachtwoord')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Inloggen' })).toBeVisible();
  await page.getByRole('link', { name: 'EN', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('a wrong password shows a readable error', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('E-mail').fill('nobody@nowhere.example');
  await page.getByLabel('Password').fill('wrong password here');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('wrong e-mail address or password');
});
