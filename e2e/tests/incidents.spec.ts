import { test, expect, APIRequestContext } from '@playwright/test';
import { fitsWidth, linkIn, mailTo, noSeriousViolations } from './support';

// Incident mode on a phone: a technician declares a fire at the warehouse, the plan becomes a
// checklist in its order (the scenario's steps, safety, staff, customers, IT), a tick records
// who did it, the ERP's recovery shows its downtime against the RTO, and the incident closes
// with its lessons. In Dutch too, without anything sticking out of a 390 px screen.
const password = 'correct horse battery';
const origin = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

async function bakery(request: APIRequestContext, email: string) {
  const r = await request.post('/api/v1/auth/signup', { data: { msp_name: 'Rescue IT', name: 'Rita', email, password }, headers: { origin } });
  expect(r.status(), await r.text()).toBe(201);
  const token = (await r.json()).token as string;
  const headers = { authorization: `Bearer ${token}` };
  const post = async (path: string, data: object) => {
    const res = await request.post(path, { data, headers });
    expect(res.status(), await res.text()).toBe(201);
    return (await res.json()).id as string;
  };
  const client = await post('/api/v1/clients', { name: 'Bakkerij Jansen' });
  const site = await post(`/api/v1/clients/${client}/sites`, { name: 'Warehouse', safety_plan_ref: 'BHV plan, red binder' });
  const erp = await post(`/api/v1/clients/${client}/systems`, { name: 'ERP', rpo_minutes: 60, rto_minutes: 240 });
  await post(`/api/v1/clients/${client}/systems`, { name: 'Mail' });
  const anna = await post(`/api/v1/clients/${client}/people`, { name: 'Anna de Vries', email: 'anna@bakery.example', is_coordinator: true, site_id: site });
  await post(`/api/v1/clients/${client}/people`, { name: 'Carla Smit', mobile: '+31 6 1234 5678', caller_id: anna, channels: ['mobile'] });
  const plan = await request.patch(`/api/v1/clients/${client}/plan`, { data: { scenarios: [{ name: 'Fire', steps: ['Evacuate the building'] }] }, headers });
  expect(plan.status(), await plan.text()).toBe(200);
  return { token, client, erp };
}

test('a fire is declared, run from its checklist on a phone, and closed with its lessons', async ({ page, request }, info) => {
  const { token, client } = await bakery(request, `rita+${Date.now()}@rescue.example`);
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: origin }]);
  await page.setViewportSize({ width: 390, height: 844 });

  await page.goto(`/clients/${client}`);
  await page.getByTestId('open-incidents').click();
  await expect(page.getByRole('heading', { name: 'Incidents' })).toBeVisible();
  await expect(page.getByText('No incidents yet')).toBeVisible();
  const declare = page.getByTestId('declare');
  const submit = declare.locator('button[type=submit]');
  // Nothing declared yet, so the form is open; a moment nobody can read is refused by name.
  await declare.getByLabel('What happened').fill('Fire in the warehouse');
  await declare.getByLabel('Scenario').selectOption('Fire');
  await declare.getByLabel('Warehouse').check();
  await declare.getByLabel('ERP').check();
  await declare.getByLabel('Began at').fill('this morning');
  await submit.click();
  await expect(page.getByRole('alert')).toContainText('Began at: must be a moment such as 2026-12-07 08:30 (UTC)');
  await expect(page.getByTestId('incident')).toHaveCount(0);
  await fitsWidth(page);
  await page.screenshot({ path: info.outputPath('declare-390.png'), fullPage: true });
  await declare.getByLabel('What happened').fill('Fire in the warehouse');
  await declare.getByLabel('Scenario').selectOption('Fire');
  await declare.getByLabel('Warehouse').check();
  await declare.getByLabel('ERP').check();
  await declare.getByLabel('Began at').fill('');
  await submit.click();

  await expect(page).toHaveURL(/\/incidents\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('incident-title')).toHaveText('Fire in the warehouse');
  const items = page.getByTestId('checklist-item');
  await expect(items.first()).toContainText('Evacuate the building');
  // Safety first: Anna works at the warehouse; once she is accounted for, its roll call is done.
  const rollCall = items.filter({ hasText: 'Roll call at Warehouse' });
  await expect(rollCall).toContainText('○');
  const annaAtSite = page.getByTestId('roll-call-person').filter({ hasText: 'Anna de Vries' });
  await expect(annaAtSite).toContainText('unknown');
  await annaAtSite.getByRole('button', { name: 'safe' }).click();
  await expect(page.getByTestId('roll-call-person').filter({ hasText: 'Anna de Vries' })).toContainText('safe');
  await expect(rollCall).toContainText('✔');
  // The scenario's first step goes to Carla.
  const evacuate = items.filter({ hasText: 'Evacuate the building' });
  await evacuate.locator('details.assign summary').click();
  await evacuate.getByRole('combobox', { name: 'Assign' }).selectOption({ label: 'Carla Smit' });
  await evacuate.getByRole('button', { name: 'Assign' }).click();
  await expect(items.filter({ hasText: 'Evacuate the building' }).getByTestId('assignee')).toHaveText(' · assigned to Carla Smit');
  const safetyPlan = items.filter({ hasText: 'red binder' });
  await safetyPlan.getByRole('button', { name: 'Done' }).click();
  await expect(safetyPlan).toContainText('done by Rita');
  const erp = page.getByTestId('incident-system').filter({ hasText: 'ERP' });
  await expect(erp.getByTestId('down-for')).toContainText('min');
  await erp.getByTestId('recovery-recovered').click();
  await expect(erp.getByTestId('downtime')).toContainText('within target');
  await expect(items.filter({ hasText: 'Recover ERP' })).toContainText('✔');
  await expect(page.getByTestId('timeline')).toContainText('ERP recovered');
  // The call tree goes out: Anna by e-mail, Carla (phone only) is a call for Anna to make.
  await page.getByTestId('start-call-tree').click();
  await expect(page.getByTestId('call-counts')).toHaveText('0 / 2 reached');
  const carla = page.getByTestId('leg').filter({ hasText: 'Carla Smit' });
  await expect(carla).toContainText('phone call · called by Anna de Vries · +31 6 1234 5678');
  await carla.getByRole('button', { name: 'Reached' }).click();
  await expect(page.getByTestId('call-counts')).toHaveText('1 / 2 reached');
  await expect(page.getByTestId('leg').filter({ hasText: 'Carla Smit' })).toContainText('confirmed');
  await fitsWidth(page);
  await noSeriousViolations(page, 'the incident');
  await page.screenshot({ path: info.outputPath('incident-390.png'), fullPage: true });

  // The same incident in Dutch.
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: origin }]);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Checklist' })).toBeVisible();
  await expect(page.getByTestId('checklist-item').filter({ hasText: 'red binder' })).toContainText('gedaan door Rita');
  await expect(page.getByTestId('roll-call-person')).toContainText('veilig');
  await expect(page.getByTestId('timeline')).toContainText('ERP hersteld');
  await fitsWidth(page);
  await page.screenshot({ path: info.outputPath('incident-nl-390.png'), fullPage: true });

  // Closed with its lessons: the clocks stop, the forms go.
  const close = page.getByTestId('close-incident');
  await close.locator('summary').click();
  await close.getByLabel('Geleerde lessen').fill('Het BHV-boek hoort bij de deur.');
  await close.getByRole('button', { name: 'Nu sluiten' }).click();
  await expect(page.getByTestId('incident-state')).toContainText('gesloten');
  await expect(page.getByTestId('lessons')).toHaveText('Het BHV-boek hoort bij de deur.');
  await expect(page.getByTestId('close-incident')).toHaveCount(0);
  await expect(page.getByTestId('recovery-started')).toHaveCount(0);

  // The post-incident report, as a page that fits the phone too.
  const href = await page.getByTestId('report-links').getByRole('link', { name: 'HTML' }).getAttribute('href');
  await page.goto(href!);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Evaluatierapport: Fire in the warehouse');
  await expect(page.locator('body')).toContainText('Het BHV-boek hoort bij de deur.');
  await expect(page.locator('body')).toContainText('Controleer de contactgegevens van Anna de Vries: niet bereikt.');
  await fitsWidth(page);
  await page.screenshot({ path: info.outputPath('report-nl-390.png'), fullPage: true });
});

// The other half of a real incident: two people confirm the call tree from the links in their
// e-mails (read from the local SMTP sink), the MSP sets up the client's status page, approves
// the drafted notice, and a customer reads it on the public page on a phone, and subscribes.
test('the call tree is confirmed from its e-mails and customers read an approved notice', async ({ page, request }, info) => {
  const stamp = Date.now();
  const { token, client, erp } = await bakery(request, `rita+${stamp}@rescue.example`);
  const headers = { authorization: `Bearer ${token}` };
  const post = async (path: string, data: object) => {
    const res = await request.post(path, { data, headers });
    expect(res.status(), await res.text()).toBe(201);
    return (await res.json()).id as string;
  };
  const people = await (await request.get(`/api/v1/clients/${client}/people`, { headers })).json();
  const anna = people.find((p: { name: string }) => p.name === 'Anna de Vries');
  const bert = `bert+${stamp}@bakery.example`;
  const annaMail = 'anna@bakery.example';
  await post(`/api/v1/clients/${client}/people`, { name: 'Bert Bakker', email: bert, caller_id: anna.id });
  const ordering = await post(`/api/v1/clients/${client}/processes`, { name: 'Order intake', systems: [erp] });
  await post(`/api/v1/clients/${client}/customer-groups`, { name: 'Wholesale', processes: [ordering] });
  const plan = await request.patch(`/api/v1/clients/${client}/plan`, { headers, data: {
    service_desk: { overflow_phone: '020 123 4567' },
    messages: [{ kind: 'first_notice', subject: '{client}: disruption', body: 'Our {affected} is disrupted since {started_at}. Questions: {contact}.' }],
  } });
  expect(plan.status(), await plan.text()).toBe(200);
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: origin }]);
  await page.setViewportSize({ width: 390, height: 844 });

  // The status page, set up from the incidents page: a service made of the ERP.
  await page.goto(`/clients/${client}/incidents`);
  const setup = page.getByTestId('status-page');
  await expect(setup).toContainText('This client has no public status page yet.');
  await setup.getByLabel('Page title').fill('Bakkerij Jansen status');
  const service = setup.getByTestId('component').first();
  await service.getByLabel('Service name').fill('Ordering');
  await service.getByLabel('ERP').check();
  await setup.getByTestId('save-status-page').click();
  const publicLink = setup.getByTestId('status-page-public').getByRole('link');
  await expect(publicLink).toHaveText(/^\/status\/[0-9a-f]{32}$/);
  const statusPath = (await publicLink.textContent())!;
  await expect(setup.getByTestId('group-links')).toContainText('Wholesale');
  await page.screenshot({ path: info.outputPath('status-setup-390.png'), fullPage: true });
  await fitsWidth(page);

  // The incident, and its call tree confirmed by the two people from their e-mails.
  const incident = await post(`/api/v1/clients/${client}/incidents`, { title: 'ERP down', scenario: 'Outage', system_ids: [erp] });
  await page.goto(`/incidents/${incident}`);
  await page.getByTestId('start-call-tree').click();
  await expect(page.getByTestId('call-counts')).toHaveText('0 / 3 reached');
  for (const to of [annaMail, bert]) {
    const mail = await mailTo(to, 'ERP down');
    const link = linkIn(mail, origin, '/r/');
    const phone = await page.context().newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(link);
    await phone.getByRole('button', { name: 'I got the message' }).click();
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Confirmed');
    await phone.close();
  }
  await page.reload();
  await expect(page.getByTestId('call-counts')).toHaveText('2 / 3 reached');

  // The notice: drafted from the plan's template, approved, published.
  await expect(page.getByTestId('affected-groups')).toContainText('Wholesale');
  const draft = page.getByTestId('draft-update');
  await expect(draft.getByLabel('Message')).toHaveValue(/^Our Order intake is disrupted since .* UTC\. Questions: 020 123 4567\.$/);
  await draft.getByTestId('save-draft').click();
  const update = page.getByTestId('update').first();
  await expect(update).toContainText('draft');
  await expect(update).toContainText('for everyone');
  await update.getByTestId('publish-update').click();
  await expect(page.getByTestId('update').first()).toContainText('published');
  await expect(page.getByTestId('update').first()).toContainText('approved by Rita');
  await expect(page.getByTestId('checklist-item').filter({ hasText: 'first notice' })).toContainText('✔');
  await fitsWidth(page);
  await page.screenshot({ path: info.outputPath('incident-notice-390.png'), fullPage: true });

  // The public page, as a customer reads it on a phone: no login, nothing of the plan.
  const customer = await page.context().browser()!.newContext({ viewport: { width: 390, height: 844 } });
  const reader = await customer.newPage();
  await reader.goto(statusPath);
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('Bakkerij Jansen status');
  await expect(reader.locator('.comp')).toContainText('OrderingOutage');
  await expect(reader.locator('article')).toContainText('Questions: 020 123 4567.');
  await expect(reader.locator('body')).not.toContainText('Anna');
  await expect(reader.locator('body')).not.toContainText('Rita');
  await fitsWidth(reader);
  await noSeriousViolations(reader, 'the public status page');
  await reader.screenshot({ path: info.outputPath('status-public-390.png'), fullPage: true });
  // Subscribing: a confirmation mail, a button, and then updates by e-mail.
  const subscriber = `reader+${stamp}@customer.example`;
  await reader.getByLabel(/Your e-mail address/).fill(subscriber);
  await reader.getByRole('button', { name: 'Subscribe' }).click();
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('Check your mailbox');
  const confirm = linkIn(await mailTo(subscriber, 'Confirm here'), origin, '/status/');
  await reader.goto(confirm);
  await reader.getByRole('button', { name: 'Yes, subscribe' }).click();
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('Subscribed');
  // In Dutch, for a Dutch reader.
  await customer.addCookies([{ name: 'lifeline_lang', value: 'nl', url: origin }]);
  await reader.goto(statusPath);
  await expect(reader.locator('.comp')).toContainText('OrderingStoring');
  await expect(reader.getByRole('heading', { name: 'Lopende incidenten' })).toBeVisible();
  await fitsWidth(reader);
  await reader.screenshot({ path: info.outputPath('status-public-nl-390.png'), fullPage: true });
  await customer.close();
});
