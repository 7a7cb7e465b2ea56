import { test, expect, Page, APIRequestContext } from '@playwright/test';
import { hydrated, noSeriousViolations } from './support';

// The upsell's first steps: the owner's service catalog (three starter tiers, a price changed
// in its drawer, in Dutch on a phone too) and, on a client's page, the tier each system whose
// backups cannot keep its targets should move to, with the reason.
const password = 'correct horse battery';
const origin = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

async function signup(request: APIRequestContext, email: string) {
  const r = await request.post('/api/v1/auth/signup', { data: { msp_name: 'Upsell IT', name: 'Una', email, password }, headers: { origin } });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()).token as string;
}

async function fits(page: Page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll).toBeLessThanOrEqual(inner);
}

test('the owner prices the catalog and sees which tier each client system needs', async ({ page, request }, info) => {
  const token = await signup(request, `una+${Date.now()}@upsell.example`);
  const auth = { authorization: `Bearer ${token}` };
  const client = (await (await request.post('/api/v1/clients', { data: { name: 'Bakkerij Jansen' }, headers: auth })).json()).id;
  const daily = { method: 'agent_to_disk', interval_minutes: 1440, job_minutes: 60, offsite_interval_minutes: 1440, retention_days: 30, data_gb: 200, restore_mb_per_s: null };
  const erp = await request.post(`/api/v1/clients/${client}/systems`, { data: { name: 'ERP', rpo_minutes: 60, rto_minutes: 240, policy: daily }, headers: auth });
  expect(erp.status(), await erp.text()).toBe(201);
  // Only ransomware in this plan: nothing has to survive the site.
  const plan = await request.patch(`/api/v1/clients/${client}/plan`, { data: { scenarios: [{ name: 'Ransomware', steps: ['Call the MSP.'] }] }, headers: auth });
  expect(plan.status(), await plan.text()).toBe(200);
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: origin }]);

  await page.goto('/catalog');
  await hydrated(page);
  const tiers = page.getByTestId('tier');
  await expect(tiers).toHaveCount(3);
  await expect(tiers.nth(0)).toContainText('Backup Basic');
  const instant = tiers.filter({ has: page.getByRole('heading', { name: 'Instant Recovery', exact: true }) });
  await expect(instant.getByTestId('tier-price')).toHaveText('€ 45.00');
  await expect(instant).toContainText('RPO 15 min · RTO 1 h');

  // A price typed as people type it; a wrong one is refused and names the field.
  const edit = instant.getByTestId('edit-tier');
  await edit.locator(':scope > summary').click();
  await edit.getByLabel('Price per system per month').fill('39,5x');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit.getByRole('alert')).toContainText('Price per system: must be an amount such as 45 or 45.00');
  await edit.getByLabel('Price per system per month').fill('39,50');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(instant.getByTestId('tier-price')).toHaveText('€ 39.50');
  await expect(edit.locator('.drawer')).toBeHidden();
  // The protection the tier stands for is edited in the same drawer: snapshots every half hour.
  await expect(instant.getByTestId('tier-method')).toContainText('every 10 min');
  await edit.locator(':scope > summary').click();
  const method = edit.getByTestId('tier-policy');
  await method.getByLabel('Backup interval').fill('30 min');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(instant.getByTestId('tier-method')).toContainText('every 30 min');
  await expect(edit.locator('.drawer')).toBeHidden();
  // A tier of its own, protected like DRaaS; refused first for a target nobody can read.
  const add = page.getByTestId('add-tier');
  await add.locator(':scope > summary').click();
  await add.getByLabel('Name').fill('DRaaS Gold');
  await add.getByLabel('Protected like').selectOption({ label: 'DRaaS' });
  await add.getByLabel('RPO').fill('soon');
  await add.getByLabel('RTO').fill('2 h');
  await add.getByLabel('Price per system per month').fill('120');
  await add.getByLabel('survives losing the site').check();
  await add.getByRole('button', { name: 'Add tier' }).click();
  await expect(add.getByRole('alert')).toContainText('RPO: must be a duration such as 15 min, 4 h or 1 d');
  await expect(tiers).toHaveCount(3);
  await add.getByLabel('RPO').fill('15 min');
  await add.getByRole('button', { name: 'Add tier' }).click();
  await expect(tiers).toHaveCount(4);
  const gold = tiers.filter({ hasText: 'DRaaS Gold' });
  await expect(gold.getByTestId('tier-price')).toHaveText('€ 120.00');
  await expect(gold).toContainText('RPO 15 min · RTO 2 h · survives losing the site');
  await noSeriousViolations(page, 'the catalog');
  // Removing asks first.
  await gold.getByTestId('remove-confirm').locator('summary').click();
  await expect(gold).toContainText('the audit log keeps who removed it');
  await gold.getByTestId('remove').click();
  await expect(tiers).toHaveCount(3);

  // The client's page: the ERP's daily backup cannot keep its hour, Instant Recovery would.
  await page.goto(`/clients/${client}`);
  await hydrated(page);
  const rec = page.getByTestId('recommendation').filter({ hasText: 'Instant Recovery' });
  await expect(rec).toContainText('€ 39.50 per month');
  await expect(rec).toContainText('ERP needs an RPO of 60 min; a backup every 1 day can lose up to 25 h.');
  await noSeriousViolations(page, 'the client page with its protection');

  // In Dutch, on a phone.
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: origin }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId('recommendation')).toContainText('ERP heeft een RPO van 60 min nodig');
  await expect(page.getByTestId('recommendation')).toContainText('€ 39,50 per maand');
  await page.getByTestId('protection').screenshot({ path: info.outputPath('protection-nl-390.png') });
  await fits(page);
  await page.goto('/catalog');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Dienstencatalogus' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('catalog-nl-390.png'), fullPage: true });
  await fits(page);
  const nlEdit = page.getByTestId('edit-tier').first();
  await nlEdit.locator(':scope > summary').click();
  await expect(nlEdit.getByLabel('Prijs per systeem per maand')).toHaveValue('15,00');
  await page.screenshot({ path: info.outputPath('catalog-edit-nl-390.png') });
  await fits(page);
});

test('an offer made from a recommendation is sent, and the client admin reads it and accepts', async ({ page, browser, request }, info) => {
  const stamp = Date.now();
  const token = await signup(request, `una+offer${stamp}@upsell.example`);
  const auth = { authorization: `Bearer ${token}` };
  const client = (await (await request.post('/api/v1/clients', { data: { name: 'Bakkerij Jansen' }, headers: auth })).json()).id;
  const daily = { method: 'agent_to_disk', interval_minutes: 1440, job_minutes: 60, offsite_interval_minutes: 1440, retention_days: 30, data_gb: 200, restore_mb_per_s: null };
  const erp = await request.post(`/api/v1/clients/${client}/systems`, { data: { name: 'ERP', rpo_minutes: 60, rto_minutes: 240, policy: daily }, headers: auth });
  expect(erp.status(), await erp.text()).toBe(201);
  await request.patch(`/api/v1/clients/${client}/plan`, { data: { scenarios: [{ name: 'Ransomware', steps: ['Call the MSP.'] }] }, headers: auth });
  const invite = await request.post(`/api/v1/clients/${client}/users`, { data: { email: `boss+${stamp}@bakkerij.example`, name: 'Anna Jansen', role: 'client_admin' }, headers: auth });
  expect(invite.status(), await invite.text()).toBe(201);
  const accepted = await request.post(`/api/v1/invites/${(await invite.json()).invite_token}/accept`, { data: { password }, headers: { origin } });
  expect(accepted.status(), await accepted.text()).toBe(200);
  const anna = (await accepted.json()).token as string;

  // Two clicks: make the offer, send it.
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: origin }]);
  await page.goto(`/clients/${client}`);
  await hydrated(page);
  const rec = page.getByTestId('recommendation').filter({ hasText: 'Instant Recovery' });
  await rec.getByTestId('make-offer').click();
  const offer = page.getByTestId('offer').filter({ hasText: 'Instant Recovery' });
  await expect(offer.getByTestId('offer-state')).toHaveText('draft');
  await hydrated(page);
  await offer.getByTestId('send-offer').click();
  await expect(offer.getByTestId('offer-state')).toHaveText('sent');

  // The client admin, in Dutch on her phone: the reasons, the price, and her answer.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.addCookies([
    { name: 'lifeline_session', value: anna, url: origin },
    { name: 'lifeline_lang', value: 'nl', url: origin },
  ]);
  const her = await context.newPage();
  await her.goto('/home');
  await hydrated(her);
  const mine = her.getByTestId('offer');
  await expect(mine.getByTestId('offer-state')).toHaveText('bekeken');
  await expect(mine).toContainText('ERP heeft een RPO van 60 min nodig');
  await expect(mine).toContainText('per maand');
  await her.screenshot({ path: info.outputPath('offer-nl-390.png'), fullPage: true });
  await fits(her);
  await noSeriousViolations(her, 'the client home with an offer');
  await mine.getByTestId('accept-offer').click();
  await expect(mine.getByTestId('offer-state')).toHaveText('aanvaard');
  await expect(mine.getByTestId('accept-offer')).toHaveCount(0);
  await context.close();

  // Back at the MSP: accepted, and the ERP no longer needs a better tier.
  await page.reload();
  await expect(offer.getByTestId('offer-state')).toHaveText('accepted');
  await expect(page.getByTestId('recommendation')).toHaveCount(0);

  // The pipeline on the catalog page: one accepted, and this month's bar is the revenue won.
  await page.goto('/catalog');
  await expect(page.getByTestId('pipeline-counts')).toContainText('1 accepted');
  await expect(page.getByTestId('mrr-chart')).toHaveAttribute('aria-label', /€ 45\.00$/);
  await page.getByTestId('pipeline').screenshot({ path: info.outputPath('pipeline.png') });
  await noSeriousViolations(page, 'the catalog with its pipeline');
});

test('the owner connects Stripe: the key is shown only by its last four, and where to point Stripe', async ({ page, request }, info) => {
  const token = await signup(request, `una+stripe${Date.now()}@upsell.example`);
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: origin }]);
  await page.goto('/catalog');
  await hydrated(page);
  const billing = page.getByTestId('billing-settings');
  await expect(billing.getByTestId('stripe-manual')).toContainText('billing by hand');
  await expect(billing.getByTestId('webhook-url')).toHaveText(/\/api\/v1\/billing\/stripe\/[0-9a-f-]{36}\/webhook$/);
  await expect(billing).toContainText('invoice.payment_failed');

  // A publishable key is not a secret key: refused with the reason, nothing connected.
  await billing.getByLabel('Secret key').fill('pk_test_51AbCdEfGhIjKlMn');
  await billing.getByLabel('Webhook signing secret').fill('whsec_lifelineE2eSecret0001');
  await billing.getByRole('button', { name: 'Connect Stripe' }).click();
  await expect(billing.locator('[role=alert]')).toContainText('must be a Stripe secret key');
  await expect(billing.getByTestId('stripe-manual')).toBeVisible();

  await billing.getByLabel('Secret key').fill('sk_test_51AbCdEfGhIjKlMn0pQrStUvWx9876');
  await billing.getByRole('button', { name: 'Connect Stripe' }).click();
  await expect(page.getByTestId('stripe-connected')).toContainText('sk_test_…9876');
  await expect(page.getByTestId('stripe-connected')).toContainText('test mode');
  expect(await page.content()).not.toContain('51AbCdEfGh');
  await noSeriousViolations(page, 'the billing settings');

  // In Dutch, on a phone.
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: origin }]);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('stripe-connected')).toContainText('Gekoppeld aan Stripe met');
  await page.getByTestId('billing-settings').screenshot({ path: info.outputPath('billing-nl-390.png') });
  await fits(page);

  // Disconnecting asks first; then acceptances are billed by hand again.
  await page.getByTestId('stripe-disconnect').locator('summary').click();
  await page.getByRole('button', { name: 'Nu ontkoppelen' }).click();
  await expect(page.getByTestId('stripe-manual')).toContainText('met de hand');
});

test('with Stripe connected the client admin pays in Stripe Checkout and the subscription turns active', async ({ page, browser, request }, info) => {
  const stamp = Date.now();
  const key = `sk_test_e2e${stamp}LifelineKey0001`;
  const token = await signup(request, `una+checkout${stamp}@upsell.example`);
  const auth = { authorization: `Bearer ${token}` };
  const me = await (await request.get('/api/v1/me', { headers: auth })).json();
  const client = (await (await request.post('/api/v1/clients', { data: { name: 'Bakkerij Jansen' }, headers: auth })).json()).id;
  const daily = { method: 'agent_to_disk', interval_minutes: 1440, job_minutes: 60, offsite_interval_minutes: 1440, retention_days: 30, data_gb: 200, restore_mb_per_s: null };
  const erp = await request.post(`/api/v1/clients/${client}/systems`, { data: { name: 'ERP', rpo_minutes: 60, rto_minutes: 240, policy: daily }, headers: auth });
  expect(erp.status(), await erp.text()).toBe(201);
  await request.patch(`/api/v1/clients/${client}/plan`, { data: { scenarios: [{ name: 'Ransomware', steps: ['Call the MSP.'] }] }, headers: auth });
  const invite = await request.post(`/api/v1/clients/${client}/users`, { data: { email: `boss+co${stamp}@bakkerij.example`, name: 'Anna Jansen', role: 'client_admin' }, headers: auth });
  const accepted = await request.post(`/api/v1/invites/${(await invite.json()).invite_token}/accept`, { data: { password }, headers: { origin } });
  expect(accepted.status(), await accepted.text()).toBe(200);
  const anna = (await accepted.json()).token as string;

  // As the MSP does in Stripe's dashboard: a webhook endpoint to Lifeline; its signing secret
  // and the secret key then go into Lifeline's billing settings.
  const stripe = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1}`;
  const endpoint = await request.post(`${stripe}/v1/webhook_endpoints`, {
    headers: { authorization: `Bearer ${key}` },
    form: { url: `${origin}/api/v1/billing/stripe/${me.msp.id}/webhook`, 'enabled_events[0]': '*' },
  });
  expect(endpoint.status(), await endpoint.text()).toBe(200);
  const connected = await request.put('/api/v1/billing/stripe', { data: { secret_key: key, webhook_secret: (await endpoint.json()).secret }, headers: auth });
  expect(connected.status(), await connected.text()).toBe(200);

  // The offer, made and sent from the recommendation.
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: origin }]);
  await page.goto(`/clients/${client}`);
  await hydrated(page);
  await page.getByTestId('recommendation').filter({ hasText: 'Instant Recovery' }).getByTestId('make-offer').click();
  const offer = page.getByTestId('offer').filter({ hasText: 'Instant Recovery' });
  await expect(offer.getByTestId('offer-state')).toHaveText('draft');
  await hydrated(page);
  await offer.getByTestId('send-offer').click();
  await expect(offer.getByTestId('offer-state')).toHaveText('sent');

  // The client admin accepts and lands in (the fake of) Stripe Checkout; she pays and comes back.
  const context = await browser.newContext();
  await context.addCookies([{ name: 'lifeline_session', value: anna, url: origin }]);
  const her = await context.newPage();
  await her.goto('/home');
  await hydrated(her);
  await her.getByTestId('offer').getByTestId('accept-offer').click();
  await expect(her.getByRole('heading', { name: 'Stripe Checkout (test)' })).toBeVisible();
  await expect(her.locator('body')).toContainText('EUR 45.00 per month');
  await her.getByRole('button', { name: 'Pay' }).click();
  await expect(her).toHaveURL(/\/home\?checkout=done$/);
  // Stripe's events arrive a moment later: the subscription is active, paid through Stripe.
  await expect(async () => {
    await her.reload();
    await expect(her.getByTestId('offer-billing')).toContainText('paid through Stripe', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(her.getByTestId('billing-portal')).toBeVisible();
  await her.screenshot({ path: info.outputPath('offer-paid.png'), fullPage: true });
  await context.close();

  const subs = await (await request.get(`/api/v1/clients/${client}/subscriptions`, { headers: auth })).json();
  expect(subs.items[0]).toMatchObject({ billing: 'stripe', status: 'active', quantity: 1 });
  await page.goto('/catalog');
  await expect(page.getByTestId('pipeline-counts')).toContainText('1 accepted');
  await expect(page.getByTestId('mrr-chart')).toHaveAttribute('aria-label', /€ 45\.00$/);
});
