import { test, expect } from '@playwright/test';
import { fitsWidth, noSeriousViolations } from './support';

// Exercises on a phone: a tabletop is scheduled and scored from the steps that held, its
// finding becomes an action item; a drill left past its day is flagged on the client's plan and
// on the MSP's overview. In Dutch too, without anything sticking out of a 390 px screen.
const password = 'correct horse battery';
const origin = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

test('a tabletop is scored, its finding becomes an action item, an overdue drill is flagged', async ({ page, request }, info) => {
  const email = `ed+${Date.now()}@drills.example`;
  const r = await request.post('/api/v1/auth/signup', { data: { msp_name: 'Drill IT', name: 'Ed', email, password }, headers: { origin } });
  expect(r.status(), await r.text()).toBe(201);
  const token = (await r.json()).token as string;
  const headers = { authorization: `Bearer ${token}` };
  const post = async (path: string, data: object) => {
    const res = await request.post(path, { data, headers });
    expect(res.status(), await res.text()).toBe(201);
    return (await res.json()).id as string;
  };
  const client = await post('/api/v1/clients', { name: 'Bakkerij Jansen' });
  await post(`/api/v1/clients/${client}/people`, { name: 'Anna de Vries', email: 'anna@bakery.example', is_coordinator: true });
  await page.context().addCookies([{ name: 'lifeline_session', value: token, url: origin }]);
  await page.setViewportSize({ width: 390, height: 844 });

  await page.goto(`/clients/${client}`);
  await page.getByTestId('open-exercises').click();
  await expect(page.getByRole('heading', { name: 'Exercises', level: 1 })).toBeVisible();
  await expect(page.getByTestId('cadence-kind')).toHaveCount(3);
  await expect(page.getByTestId('cadence-kind').first()).toContainText('every 6 months');
  // The client drills every three months instead; a wave time of a day and more is refused.
  const settings = page.getByTestId('drill-settings');
  await settings.locator('summary').click();
  await settings.getByLabel('Call-tree drill (months)').fill('3');
  await settings.getByLabel('Minutes per call-tree wave').fill('2000');
  await settings.getByTestId('save-drill-settings').click();
  await expect(page.getByRole('alert')).toContainText('Minutes per call-tree wave: must be 1 to 1440 minutes');
  await expect(page.getByTestId('cadence-kind').first()).toContainText('every 6 months');
  await settings.getByLabel('Call-tree drill (months)').fill('3');
  await settings.getByLabel('Minutes per call-tree wave').fill('10');
  await settings.getByTestId('save-drill-settings').click();
  await expect(page.getByTestId('cadence-kind').first()).toContainText('every 3 months');
  const form = page.getByTestId('schedule-exercise');
  await form.getByLabel('Kind').selectOption('tabletop');
  await form.getByTestId('schedule').click();
  const exercise = page.getByTestId('exercise').first();
  await expect(exercise).toContainText('Tabletop exercise');
  await expect(exercise).toContainText('scheduled');
  await exercise.getByTestId('record-exercise').locator('summary').click();
  await exercise.getByLabel('Steps that held').fill('Evacuation route known\nBackup site keys');
  await exercise.getByLabel('Steps that did not hold').fill('Press statement ready');
  await exercise.getByLabel('Findings to act on').fill('Write the press statement');
  await exercise.getByTestId('record').click();
  await expect(page.getByTestId('exercise-result').first()).toHaveText('66 % of the steps held (3)');
  const item = page.getByTestId('action-item').filter({ hasText: 'Write the press statement' });
  await expect(item).toContainText('owner Anna de Vries');
  await fitsWidth(page);
  await noSeriousViolations(page, 'the exercises page');
  await page.screenshot({ path: info.outputPath('exercises-390.png'), fullPage: true });

  // A drill that was due last week: flagged on the plan and on the overview.
  const past = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  await post(`/api/v1/clients/${client}/exercises`, { kind: 'call_tree_drill', scheduled_for: past });
  await page.goto(`/clients/${client}/plan`);
  await expect(page.getByTestId('exercises-overdue')).toContainText('exercises: 1');
  await page.goto('/clients');
  await expect(page.getByTestId('exercises-overdue')).toContainText('exercises: 1');
  await page.getByTestId('exercises-overdue').click();
  await expect(page.getByTestId('exercise').filter({ hasText: 'Call-tree drill' })).toContainText('overdue');

  // In Dutch.
  await page.context().addCookies([{ name: 'lifeline_lang', value: 'nl', url: origin }]);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Oefeningen', level: 1 })).toBeVisible();
  await expect(page.getByTestId('exercise').filter({ hasText: 'Belboomoefening' })).toContainText('te laat');
  await expect(page.getByTestId('action-item')).toContainText('eigenaar Anna de Vries');
  await fitsWidth(page);
  await page.screenshot({ path: info.outputPath('exercises-nl-390.png'), fullPage: true });
});
