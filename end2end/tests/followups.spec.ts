import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

// Two demo people certified 35 days ago, whose 30-day follow-ups are due: one per project, so the
// JavaScript and plain-HTML runs each observe someone of their own.
const PEOPLE = { js: { no: 'E1011', name: /Feng Xue/ }, nojs: { no: 'E1012', name: /He Jing/ } };

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('a supervisor observes a 30-day follow-up on the floor, keeps a draft, submits', async ({ page }, info) => {
    const who = PEOPLE[info.project.name as 'js' | 'nojs'];
    await signIn(page, DEMO.manager.login);
    await page.goto('/followups');
    const card = page.locator('section.followups').first().locator('li.followup', { hasText: who.name });
    await expect(card).toContainText(/30-day follow-up|30 天在岗跟踪评估/);
    await expect(card.locator('.badge')).toContainText(/Due|待完成/);
    await card.locator('a').click();
    await expect(page).toHaveURL(/\/followups\/\d+$/);
    const url = page.url();
    await ready(page, info);

    // Each criterion shows its levels with descriptors, big enough to tap.
    const criteria = page.locator('form.survey fieldset.criterion');
    await expect(criteria).toHaveCount(6);
    await expect(criteria.nth(3)).toContainText(/critical|关键/i);
    const box = await criteria.nth(0).locator('label.level').first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(40);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // A draft keeps what was chosen, for the observer only.
    await criteria.nth(0).locator('label.level').nth(3).click();
    await criteria.nth(0).locator('textarea').fill(`Greets by name (${info.project.name})`);
    await page.locator('form.survey button[name=draft]').click();
    await expect(page.locator('.alert.ok[role=status]')).toContainText(/draft is saved|草稿已保存/);
    await page.goto(url);
    await expect(criteria.nth(0).locator('input[type=radio]').nth(3)).toBeChecked();
    await expect(criteria.nth(0).locator('textarea')).toHaveValue(`Greets by name (${info.project.name})`);
    await ready(page, info);

    for (let i = 0; i < 6; i++) {
      await criteria.nth(i).locator('label.level').nth(3).click();
    }
    await page.locator('form.survey textarea[name=overall]').fill('Calm and accurate on a busy morning.');
    await page.locator('form.survey button.primary').click();
    await expect(page.locator('.alert.ok[role=status]')).toContainText(/recorded|已记录/);
    await page.goto(url);
    await expect(page.locator('section.result')).toContainText(/Passed: 75%|通过：75%/);
    await expect(page.locator('form.survey')).toHaveCount(0);
    await signOut(page);

    // The person sees the completed result among their own follow-ups, never the form.
    await signIn(page, who.no);
    await page.goto('/followups');
    const mine = page.locator('section.followups').last();
    await expect(mine.locator('li.followup', { hasText: /Supervisor|直属主管/ })).toContainText(/Passed 75%|通过 75%/);
    await page.goto(url);
    await expect(page.locator('section.result')).toContainText(/Greets by name/);
    await expect(page.locator('form.survey')).toHaveCount(0);
  });
});

test('an overdue follow-up is on the manager\'s list, and on the admin\'s', async ({ page }) => {
  await signIn(page, DEMO.manager.login);
  await page.goto('/followups');
  const overdue = page.locator('li.followup.overdue', { hasText: /Luo Min/ });
  await expect(overdue).toContainText(/60-day follow-up|60 天在岗跟踪评估/);
  await expect(overdue.locator('.badge')).toContainText(/Overdue|已逾期/);
  await signOut(page);
  // The admin is not asked to observe anyone: the overdue ones are under "Overdue in my teams".
  await signIn(page, DEMO.admin.login);
  await page.goto('/followups');
  const teams = page.locator('section.followups', { hasText: /Overdue in my teams|我的团队中已逾期的/ });
  await expect(teams.locator('li.followup', { hasText: /Luo Min/ })).toBeVisible();
  await expect(teams.locator('li.followup', { hasText: /Gao Xiang/ })).toBeVisible();
});

test('a follow-up that failed on a critical criterion shows why the person is not cleared', async ({ page }) => {
  await signIn(page, DEMO.manager.login);
  await page.goto('/team/roster?q=E1013');
  await page.locator('a', { hasText: /Gao Xiang/ }).first().click();
  await expect(page.locator('section.program').first()).toContainText(/Re-assessment required|需重新考核/);
  await page.locator('section.program a', { hasText: /See the follow-up|查看跟踪评估/ }).click();
  await expect(page.locator('h1')).toContainText(/60-day follow-up|60 天在岗跟踪评估/);
  await expect(page.locator('section.result')).toContainText(/Not passed|未通过/);
  await expect(page.locator('section.result tr.flagged')).toContainText(/policy|政策/);
  await expect(page.locator('section.result')).toContainText(/re-assessment|重新考核/);
});

test('the on-the-job results: transfer per criterion and metrics before and after', async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  await page.goto('/reports/on-the-job');
  await ready(page, info);
  await expect(page.locator('h1')).toContainText(/On-the-job results|在岗成效/);
  // 高翔 met the warranty criterion in his role-play and missed it on the job.
  const flagged = page.locator('table.transfer tr.flagged');
  await expect(flagged).toHaveCount(1);
  await expect(flagged).toContainText(/policy|政策/);
  await expect(flagged).toContainText(/Does not hold|未能保持/);
  const metrics = page.locator('section.card', { hasText: /Metrics before and after|取证前后/ });
  await expect(metrics.locator('tbody tr', { hasText: /CSAT|满意度/ }).locator('td.good')).toBeVisible();
  // Grouped by team: the same criteria per team.
  await page.locator('select[name=group]').selectOption('team');
  await page.locator('form.filters button[type=submit]').click();
  await expect(page).toHaveURL(/group=team/);
  await expect(page.locator('section.card h3').first()).toContainText(/Service Team|客服/);
});

test('a manager types a metric for a person of their team', async ({ page }, info) => {
  const value = info.project.name === 'js' ? '91.5' : '87.25';
  await signIn(page, DEMO.manager.login);
  await page.goto('/team/metrics?period=2026-11');
  await ready(page, info);
  const field = page.getByRole('textbox', { name: /Feng Xue/ });
  await field.fill(value);
  await page.locator('form.card button.primary').click();
  await expect(page.locator('.alert.ok[role=status]')).toContainText(/Values saved: 1\.|已保存 1 条/);
  await page.goto('/team/metrics?period=2026-11');
  await expect(page.getByRole('textbox', { name: /Feng Xue/ })).toHaveValue(value);
});

test('an admin uploads metrics: a bad row stores nothing and is named', async ({ page }, info) => {
  await signIn(page, DEMO.admin.login);
  await page.goto('/admin/metrics');
  const upload = (csv: string) =>
    page.locator('form[action="/admin/metrics/import"] input[type=file]').setInputFiles({
      name: 'metrics.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
  await upload('employee_no,metric,period,value\nE1012,csat,2026-10,90\nX404,csat,2026-10,80\n');
  await page.locator('form[action="/admin/metrics/import"] button').click();
  const alert = page.locator('.alert.error[role=alert]');
  await expect(alert).toContainText(/3/);
  await expect(alert).toContainText(/X404/);
  const good = info.project.name === 'js' ? '88.5' : '89.5';
  await upload(`employee_no,metric,period,value\nE1012,csat,2026-10,${good}\n`);
  await page.locator('form[action="/admin/metrics/import"] button').click();
  await expect(page.locator('.alert.ok[role=status]')).toContainText(/Values stored: 1\.|已保存 1 条/);
});
