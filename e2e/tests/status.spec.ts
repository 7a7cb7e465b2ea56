import { test, expect, Page } from '@playwright/test';

const password = 'correct horse battery';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('the status page shows systems against their RPO, draws exposure, and updates itself', async ({ page, baseURL, browser }) => {
  const stamp = Date.now();
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Company name (your MSP)').fill('Kees IT Beheer');
  await page.getByLabel('Your name').fill('Kees de Boer');
  await page.getByLabel('E-mail').fill(`kees+status${stamp}@kees-it.example`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/clients$/);
  await hydrated(page);
  await page.getByLabel('Client name').fill('Garage Pietersen');
  await page.getByRole('button', { name: 'Add client' }).click();
  await page.getByRole('link', { name: 'Garage Pietersen' }).click();
  await expect(page.getByTestId('client-name')).toHaveText('Garage Pietersen');
  const client = page.url().split('/').pop();

  // Systems and an ingest token through the API, as a PSA sync or a script would.
  const api = (path: string, data: object) =>
    page.request.post(`/api/v1${path}`, { data, headers: { origin: baseURL! } });
  const fs = await (await api(`/clients/${client}/systems`, { name: 'File server', rpo_minutes: 60 })).json();
  const mail = await (await api(`/clients/${client}/systems`, { name: 'Mail server', rpo_minutes: 60 })).json();
  // The ingest token is made in the portal and shown once.
  await hydrated(page);
  await page.getByLabel('Token name (e.g. the appliance)').fill('Backup appliance');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!;
  expect(token).toMatch(/^llk_/);
  await expect(page.getByTestId('ingest-tokens')).toContainText('Backup appliance');
  // A daily file backup cannot keep a one-hour promise; the status page says so.
  const policy = { method: 'agent_to_disk', interval_minutes: 1440, job_minutes: 60, offsite_interval_minutes: null, retention_days: 30, data_gb: 200, restore_mb_per_s: null };
  const patched = await page.request.patch(`/api/v1/systems/${fs.id}`, { data: { policy }, headers: { origin: baseURL! } });
  expect(patched.status()).toBe(200);
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const events = [90, 50, 10].map((m, i) => ({
    id: `job-${i}`, system_id: fs.id, kind: 'backup_succeeded', restore_point_at: minutesAgo(m), finished_at: minutesAgo(m - 1),
  }));
  const r = await page.request.post('/api/v1/ingest/events', { data: { events }, headers: { authorization: `Bearer ${token}` } });
  expect(r.status()).toBe(202);
  expect(await r.json()).toEqual({ accepted: 3, duplicates: 0 });

  await page.getByTestId('open-status').click();
  await expect(page.getByRole('heading', { name: 'Backup status' })).toBeVisible();
  await hydrated(page);
  const cards = page.getByTestId('system-status');
  await expect(cards).toHaveCount(2);
  const fileCard = cards.filter({ hasText: 'File server' });
  await expect(fileCard.locator('.badge.state').first()).toHaveText('OK');
  await expect(fileCard.locator('svg.chart polyline')).toHaveAttribute('points', /\d/);
  await expect(fileCard.locator('svg.chart line.target')).toHaveCount(1);
  await expect(fileCard.getByTestId('policy-gaps')).toContainText('A backup every 1 day can lose up to 25 h of data; you agreed 60 min.');
  await fileCard.getByTestId('timeline').locator('summary').click();
  await expect(fileCard.getByTestId('timeline').locator('li')).toHaveCount(3);
  await expect(fileCard.getByTestId('timeline')).toContainText('backup succeeded');
  const mailCard = cards.filter({ hasText: 'Mail server' });
  await expect(mailCard.locator('.badge.state').first()).toHaveText('unknown');
  await expect(mailCard.locator('code.curl')).toContainText(`/ping/${mail.ping_key}`);

  // A heartbeat arrives; the open page picks it up without a reload.
  const ping = await page.request.get(`/ping/${mail.ping_key}`);
  expect(ping.status()).toBe(200);
  await expect(mailCard.locator('.badge.state').first()).toHaveText('OK', { timeout: 25_000 });

  // The portal's client list counts states per client.
  await page.goto('/clients');
  await expect(page.getByTestId('client-counts')).toContainText('2');

  // Alert routing is the MSP's own: set, saved, and still there after a reload.
  await hydrated(page);
  const alerts = page.getByTestId('alert-settings');
  await alerts.locator('summary').click();
  await alerts.getByLabel('E-mail alerts to').fill('oncall@kees-it.example');
  await alerts.getByLabel('Repeat an open breach every').fill('2 h');
  await alerts.getByLabel('A passed restore test proves the RTO for').fill('30');
  await alerts.getByLabel('Language of alert and report e-mails').selectOption('nl');
  await alerts.getByRole('button', { name: 'Save' }).click();
  // Saved: the drawer closes and says so.
  await expect(alerts.locator('summary')).toContainText('Saved');
  await expect(alerts.getByLabel('E-mail alerts to')).toBeHidden();
  await alerts.locator('summary').click();
  await alerts.getByLabel('Repeat an open breach every').fill('-5');
  await alerts.getByRole('button', { name: 'Save' }).click();
  await expect(alerts.getByRole('alert')).toContainText('Repeat an open breach: must be a duration such as 15 min, 4 h or 1 d');
  await page.reload();
  await page.getByTestId('alert-settings').locator('summary').click();
  await expect(page.getByTestId('alert-settings').getByLabel('E-mail alerts to')).toHaveValue('oncall@kees-it.example');
  await expect(page.getByTestId('alert-settings').getByLabel('Repeat an open breach every')).toHaveValue('2 h');
  await expect(page.getByTestId('alert-settings').getByLabel('A passed restore test proves the RTO for')).toHaveValue('30');
  await expect(page.getByTestId('alert-settings').getByLabel('Language of alert and report e-mails')).toHaveValue('nl');

  // The process that needs the file server names its shortfall; and the whole page reads with
  // JavaScript switched off, rendered by the server.
  const proc = await api(`/clients/${client}/processes`, { name: 'Werkplaatsplanning', rpo_minutes: 60, systems: [fs.id] });
  expect(proc.status()).toBe(201);
  const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await noJs.newPage();
  await plain.goto(`${baseURL}/clients/${client}/status`);
  await expect(plain.getByTestId('system-status')).toHaveCount(2);
  await expect(plain.getByTestId('system-status').filter({ hasText: 'Mail server' }).locator('.badge.state').first()).toHaveText('OK');
  await expect(plain.getByTestId('process-gaps')).toContainText('File server: A backup every 1 day can lose up to 25 h of data; you agreed 60 min.');
  await noJs.close();

  // On a phone, in Dutch: the page fits the screen; wide tables scroll inside themselves.
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: baseURL! }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${baseURL}/clients/${client}/status`);
  await hydrated(page);
  await page.screenshot({ path: test.info().outputPath('status-nl-390.png'), fullPage: true });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
