import { test, expect, Page } from '@playwright/test';

const password = 'correct horse battery';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

// An "add" drawer stays open once used; open it when it is closed. Wait for the page to be ready
// first: after a save it loads afresh.
async function openForm(form: ReturnType<Page['getByTestId']>) {
  await hydrated(form.page());
  if (!(await form.evaluate((el) => (el as HTMLDetailsElement).open))) await form.locator(':scope > summary').click();
}

async function addPerson(page: Page, name: string, mobile: string, caller?: string, coordinator = false) {
  const form = page.getByTestId('add-person');
  await openForm(form);
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Mobile').fill(mobile);
  if (caller) await form.getByLabel('Called by').selectOption({ label: caller });
  if (coordinator) await form.getByLabel('coordinator').check();
  await form.getByRole('button', { name: 'Add' }).click();
  await expect(page.getByTestId('directory')).toContainText(name);
}

test('a technician builds a small plan, the client admin approves it, the PDF downloads', async ({ page, browser }) => {
  const stamp = Date.now();
  await page.goto('/signup');
  await hydrated(page);
  await page.getByLabel('Company name (your MSP)').fill('Kees IT Beheer');
  await page.getByLabel('Your name').fill('Kees de Boer');
  await page.getByLabel('E-mail').fill(`kees+plan${stamp}@kees-it.example`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/clients$/);
  await hydrated(page);
  await page.getByLabel('Client name').fill('Bakkerij Jansen');
  await page.getByRole('button', { name: 'Add client' }).click();
  await page.getByRole('link', { name: 'Bakkerij Jansen' }).click();
  await expect(page.getByTestId('client-name')).toHaveText('Bakkerij Jansen');
  await hydrated(page);

  // Invite the client admin now; she signs later.
  await page.getByLabel('Name', { exact: true }).fill('Anna Jansen');
  await page.getByLabel('E-mail').fill(`anna+plan${stamp}@bakkerij.example`);
  await page.getByLabel('Role').selectOption('client_admin');
  await page.getByRole('button', { name: 'Send invite' }).click();
  // The link once saved; a refusal would show in the form instead, and say why.
  const refused = page.locator('[data-enhanced-error]');
  await expect(page.getByTestId('invite-link').or(refused)).toBeVisible();
  await expect(refused).toHaveCount(0);
  const link = await page.getByTestId('invite-link').textContent();

  await page.getByTestId('open-plan').click();
  await expect(page.getByRole('heading', { name: 'Continuity plan' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId('gaps')).toContainText('The staff directory is empty.');
  // New clients start from the shipped template in the user's language.
  await expect(page.getByTestId('processes')).toContainText('Order intake and invoicing');
  const before = Number((await page.getByTestId('completeness').locator('strong').textContent())!.replace('%', ''));

  // Staff: a coordinator who calls two people; the tree shows it as a tree.
  await addPerson(page, 'Anna Jansen', '+31 6 1111 2222', undefined, true);
  await addPerson(page, 'Bert Bakker', '06 3333 4444', 'Anna Jansen');
  await addPerson(page, 'Carla Deeg', '06 5555 6666', 'Anna Jansen');
  const tree = page.getByTestId('call-tree');
  await expect(tree.locator(':scope > li')).toHaveCount(1);
  await expect(tree.locator(':scope > li > ul > li')).toHaveCount(2);
  await expect(page.getByTestId('call-estimate')).toContainText('1 levels × 3 min');

  // Safety: a site with its assembly point.
  const site = page.getByTestId('add-site');
  await openForm(site);
  await site.getByLabel('Name').fill('Bakery Main Street');
  await site.getByLabel('Assembly point').fill('Church square');
  await site.getByLabel('Emergency numbers').fill('112');
  await site.getByRole('button', { name: 'Add' }).click();
  await expect(page.getByTestId('site')).toContainText('Church square');

  // Recovery: a process with targets, a system that supports it.
  const proc = page.getByTestId('add-process');
  await openForm(proc);
  await proc.getByLabel('Name').fill('Orders');
  await proc.getByLabel('RTO', { exact: true }).fill('4 h');
  await proc.getByLabel('RPO', { exact: true }).fill('60 min');
  await proc.getByRole('button', { name: 'Add' }).click();
  await expect(page.getByTestId('processes')).toContainText('4 h');

  // Bad input gets a readable message and changes nothing.
  await proc.getByLabel('Name').fill('Bread baking');
  await proc.getByLabel('RTO', { exact: true }).fill('soon');
  await proc.getByRole('button', { name: 'Add' }).click();
  await expect(proc.getByRole('alert')).toContainText('RTO: must be a duration such as 15 min, 4 h or 1 d');
  await expect(page.getByTestId('processes')).not.toContainText('Bread baking');

  const sys = page.getByTestId('add-system');
  await openForm(sys);
  await sys.getByLabel('Name').fill('Order database');
  await sys.getByLabel('Criticality').selectOption('critical');
  await sys.getByLabel('Business processes').selectOption({ label: 'Orders' });
  await sys.getByLabel('Recovery procedure').fill('Restore last image\nCheck orders of today');
  await sys.getByRole('button', { name: 'Add' }).click();
  await expect(page.getByTestId('recovery-order')).toContainText('Order database');
  await expect(page.getByTestId('recovery-order')).toContainText('RTO 4 h');

  // Editing happens in a drawer at the side; saved, it closes.
  const orders = page.getByTestId('processes').locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: 'Orders' }) });
  const editOrders = orders.getByTestId('edit-process');
  await editOrders.locator(':scope > summary').click();
  await expect(editOrders.getByLabel('RTO', { exact: true })).toHaveValue('4 h');
  await editOrders.getByLabel('After a week').fill('Customers go elsewhere');
  await editOrders.getByRole('button', { name: 'Save' }).click();
  await expect(orders).toContainText('Customers go elsewhere');
  await expect(editOrders.locator('.drawer')).toBeHidden();
  const db = page.getByTestId('recovery-order').locator(':scope > li').filter({ hasText: 'Order database' });
  const editDb = db.getByTestId('edit-system');
  await editDb.locator(':scope > summary').click();
  await editDb.getByLabel('Criticality').selectOption('high');
  await editDb.getByLabel('RPO', { exact: true }).fill('whenever');
  await editDb.getByRole('button', { name: 'Save' }).click();
  await expect(editDb.getByRole('alert')).toContainText('RPO: must be a duration such as 15 min, 4 h or 1 d');
  await editDb.getByLabel('RPO', { exact: true }).fill('');
  await editDb.getByRole('button', { name: 'Save' }).click();
  await expect(editDb.locator('.drawer')).toBeHidden();
  await expect(db.locator('.badge').first()).toHaveText('high');

  // Its backup policy: a daily backup to disk cannot keep the 1 h RPO of Orders, and the page says why.
  const orderDb = page.getByTestId('recovery-order').locator(':scope > li').filter({ hasText: 'Order database' });
  const policy = orderDb.getByTestId('edit-policy');
  await expect(orderDb.getByTestId('achievable')).toHaveCount(0);
  await openForm(policy);
  await policy.getByLabel('Method').selectOption({ label: 'File/agent backup to disk' });
  await policy.getByLabel('Backup interval').fill('daily');
  await policy.getByLabel('Job duration').fill('60');
  await policy.getByLabel('Retention (days)').fill('30');
  await policy.getByLabel('Data size (GB)').fill('200');
  await policy.getByRole('button', { name: 'Save' }).click();
  await expect(policy.getByRole('alert')).toContainText('Backup interval: must be a duration such as 15 min, 4 h or 1 d');
  // A refused form keeps what was typed; what the service refuses reads as plainly.
  await expect(policy.getByLabel('Data size (GB)')).toHaveValue('200');
  await policy.getByLabel('Backup interval').fill('0');
  await policy.getByRole('button', { name: 'Save' }).click();
  await expect(policy.getByRole('alert')).toContainText('Backup policy: interval and off-site interval 1 minute to 1 year');
  await policy.getByLabel('Backup interval').fill('24 h');
  await policy.getByRole('button', { name: 'Save' }).click();
  await expect(orderDb.getByTestId('achievable')).toContainText('File/agent backup to disk, every 1 day.');
  await expect(orderDb.getByTestId('achievable')).toContainText('RPO 25 h · RPO if the site is lost: all data · RTO 48 min');
  await expect(orderDb.getByTestId('policy-gaps')).toContainText('A backup every 1 day can lose up to 25 h of data; you agreed 60 min.');
  await expect(orderDb.getByTestId('policy-gaps')).toContainText('No copy leaves the site: a fire or flood there loses all data.');
  await expect(policy.getByRole('alert')).toHaveCount(0);
  await expect(policy.getByLabel('Backup interval')).toHaveValue('1 d');

  // The Dutch reader gets the same gap in Dutch.
  await page.getByRole('link', { name: 'NL', exact: true }).click();
  await expect(orderDb.getByTestId('policy-gaps')).toContainText('Een back-up elke 1 dag kan tot 25 u aan gegevens verliezen; afgesproken is 60 min.');
  await expect(orderDb.getByTestId('achievable')).toContainText('Haalbaar in het slechtste geval');
  await page.getByRole('link', { name: 'EN', exact: true }).click();
  await expect(orderDb.getByTestId('achievable')).toContainText('Achievable at worst');

  // Before the wasm has loaded (here: never) the form still posts: image backups every 15 min,
  // copied off-site hourly.
  const plainContext = await browser.newContext({ storageState: await page.context().storageState() });
  await plainContext.route('**/pkg/**', (route) => route.abort());
  const plain = await plainContext.newPage();
  await plain.goto(page.url());
  await expect(plain.getByTestId('recovery-order')).toContainText('File/agent backup to disk, every 1 day.');
  await expect(plain.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  const plainDb = plain.getByTestId('recovery-order').locator(':scope > li').filter({ hasText: 'Order database' });
  const plainPolicy = plainDb.getByTestId('edit-policy');
  await plainPolicy.locator('summary').click();
  await plainPolicy.getByLabel('Method').selectOption('image_instant');
  await plainPolicy.getByLabel('Backup interval').fill('15');
  await plainPolicy.getByLabel('Job duration').fill('5');
  await plainPolicy.getByLabel('Off-site copy interval').fill('1 h');
  await plainPolicy.getByRole('button', { name: 'Save' }).click();
  await expect(plainDb.getByTestId('achievable')).toContainText('RPO 20 min · RPO if the site is lost: 65 min · RTO 15 min');
  await expect(plainDb.getByTestId('policy-gaps')).toHaveText('If the site is lost, up to 65 min of data is lost; you agreed 60 min.');
  await plainContext.close();

  // Removing the policy takes what it achieved and its gaps with it.
  await page.reload();
  await hydrated(page);
  await expect(orderDb.getByTestId('achievable')).toContainText('RPO 20 min');
  await openForm(policy);
  await policy.getByTestId('remove-policy').click();
  await expect(orderDb.getByTestId('achievable')).toHaveCount(0);
  await expect(orderDb.getByTestId('policy-gaps')).toHaveCount(0);
  await expect(policy.locator('summary .when-closed')).toHaveText('Set a backup policy');

  // Customer messages: a mistyped placeholder is refused with a readable reason, then fixed.
  const com = page.getByTestId('edit-communication');
  await com.locator('summary').click();
  const first = com.getByRole('textbox', { name: 'First notice' });
  await first.fill('Since {strated_at} our ovens are down.');
  await com.getByRole('button', { name: 'Save' }).click();
  await expect(com.getByRole('alert')).toContainText('{strated_at}');
  await first.fill('Since {started_at} our ovens are down. Next update by {next_update}.');
  await com.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('edit-communication')).toBeVisible();
  await expect(page.locator('#customers')).toContainText('our ovens are down');

  // The site's drawer names its first responders and its emergency numbers.
  const siteCard = page.getByTestId('site').filter({ hasText: 'Bakery Main Street' });
  const editSite = siteCard.getByTestId('edit-site');
  await editSite.locator(':scope > summary').click();
  await editSite.getByLabel('Emergency numbers').fill('Fire brigade: 112\nGP: 020 555 1234');
  await editSite.getByLabel('Anna Jansen').check();
  await editSite.getByLabel('Carla Deeg').check();
  await editSite.getByRole('button', { name: 'Save' }).click();
  await expect(editSite.locator('.drawer')).toBeHidden();
  await expect(siteCard).toContainText('Anna Jansen, Carla Deeg');
  await expect(siteCard).toContainText('Fire brigade 112, GP 020 555 1234');

  // Customers: a group whose work depends on Orders, added, then its contact changed.
  const addGroup = page.getByTestId('add-group');
  await openForm(addGroup);
  await addGroup.getByLabel('Name').fill('Shops in town');
  await addGroup.getByLabel('Orders', { exact: true }).check();
  await addGroup.getByRole('button', { name: 'Add' }).click();
  const shops = page.getByTestId('customer-groups').locator('tbody tr').filter({ hasText: 'Shops in town' });
  await expect(shops).toContainText('Orders');
  const editGroup = shops.getByTestId('edit-group');
  await editGroup.locator(':scope > summary').click();
  await expect(editGroup.getByLabel('Orders', { exact: true })).toBeChecked();
  await editGroup.getByLabel('Contact').fill('Els, 06 1234 5678');
  await editGroup.getByRole('button', { name: 'Save' }).click();
  await expect(editGroup.locator('.drawer')).toBeHidden();
  await expect(shops).toContainText('Els, 06 1234 5678');

  // What does not apply to this client goes: the template's payroll process, say.
  // Removing asks first.
  const payroll = page.getByTestId('processes').locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: 'Payroll' }) });
  await payroll.getByTestId('remove-confirm').locator('summary').click();
  await expect(payroll).toContainText('the audit log keeps who removed it');
  await payroll.getByTestId('remove').click();
  await expect(page.getByTestId('processes')).not.toContainText('Payroll');

  const after = Number((await page.getByTestId('completeness').locator('strong').textContent())!.replace('%', ''));
  expect(after).toBeGreaterThan(before);
  // MSP staff do not sign the client's plan.
  await expect(page.getByTestId('approve')).toHaveCount(0);

  // The client admin reviews and approves.
  const context = await browser.newContext({ acceptDownloads: true });
  const anna = await context.newPage();
  await anna.goto(link!);
  await hydrated(anna);
  await anna.getByLabel('Choose a password').fill(password);
  await anna.getByRole('button', { name: 'Accept invite' }).click();
  await expect(anna).toHaveURL(/\/home$/);
  await anna.getByTestId('open-plan').click();
  await hydrated(anna);
  await expect(anna.getByTestId('approval-status')).toHaveText('Never approved');
  // She keeps the directory current herself: Bert has a new mobile number.
  const bert = anna.getByTestId('directory').locator('tbody tr').filter({ has: anna.locator('td:first-child', { hasText: 'Bert Bakker' }) });
  await bert.getByTestId('edit-person').locator(':scope > summary').click();
  await bert.getByLabel('Mobile').fill('06 3333 9999');
  await bert.getByRole('button', { name: 'Save' }).click();
  await expect(anna.getByTestId('directory')).toContainText('06 3333 9999');
  await anna.getByLabel('Note (optional)').fill('Checked with the bakery team');
  await anna.getByTestId('approve').click();
  await expect(anna.getByTestId('approval-status')).toContainText('Version 1, approved by');
  await expect(anna.getByTestId('review-due')).toBeVisible();

  // The PDF downloads and is a PDF.
  const download = anna.waitForEvent('download');
  await anna.getByTestId('pdf').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('continuity-plan-bakkerij-jansen.pdf');
  const path = await file.path();
  const fs = await import('fs');
  const bytes = fs.readFileSync(path!);
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  expect(bytes.length).toBeGreaterThan(5000);

  // The printable version holds every number, with nothing to click through to.
  const print = await anna.request.get(`${new URL(anna.url()).pathname.replace(/\/plan$/, '')}/plan`.replace('/clients/', '/api/v1/clients/') + '/export.html');
  expect(print.status()).toBe(200);
  const html = await print.text();
  for (const n of ['+31 6 1111 2222', '06 3333 9999', '06 5555 6666', 'Church square']) expect(html).toContain(n);
  expect(html).not.toContain('06 3333 4444');
  expect(html).toContain('Version 1, approved by');

  // The plan on a phone, in Dutch: it fits the screen; wide tables scroll inside themselves.
  await context.addCookies([{ name: 'lifeline_lang', value: 'nl', url: anna.url() }]);
  await anna.setViewportSize({ width: 390, height: 844 });
  await anna.reload();
  await hydrated(anna);
  await anna.screenshot({ path: test.info().outputPath('plan-nl-390.png'), fullPage: true });
  expect(await anna.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // Editing on a phone: the drawer takes the screen, and nothing sticks out.
  await bert.getByTestId('edit-person').locator(':scope > summary').click();
  await expect(bert.getByLabel('Mobiel')).toBeVisible();
  await anna.screenshot({ path: test.info().outputPath('plan-edit-person-nl-390.png') });
  expect(await anna.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await bert.getByTestId('edit-person').locator(':scope > summary').click();
  await expect(bert.getByLabel('Mobiel')).toBeHidden();
  const annaSite = anna.getByTestId('edit-site').first();
  await annaSite.locator(':scope > summary').click();
  await expect(annaSite.getByLabel('Noodnummers')).toHaveValue('Fire brigade: 112\nGP: 020 555 1234');
  await expect(annaSite.getByLabel('Anna Jansen')).toBeChecked();
  await anna.screenshot({ path: test.info().outputPath('plan-edit-site-nl-390.png') });
  expect(await anna.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await annaSite.locator(':scope > summary').click();
  await context.close();
});
