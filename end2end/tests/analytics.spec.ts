import { readFileSync } from 'fs';
import { DEMO, expect, ready, signIn, test } from './helpers';

test("a trainer opens a quiz's statistics, counts every attempt and downloads the grades", async ({ page }, info) => {
  await signIn(page, DEMO.trainer.login);
  await page.goto('/trainer/quizzes');
  await ready(page, info);
  // The demo's post-test has graded attempts; the trainer reads English.
  await page.getByRole('link', { name: 'Post-test', exact: true }).click();
  await page.getByRole('link', { name: 'Statistics' }).click();
  await expect(page).toHaveURL(/\/trainer\/quizzes\/\d+\/statistics$/);
  await ready(page, info);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Post-test · Statistics');
  const figures = page.locator('dl.figures');
  await expect(figures.getByText('Mean score')).toBeVisible();
  const firstCount = Number(await figures.locator('div', { hasText: 'Attempts' }).locator('dd').innerText());
  expect(firstCount).toBeGreaterThan(0);
  await expect(page.locator('table.stats tbody tr').first()).toBeVisible();

  // The choice of attempts is a GET form: it works the same with or without JavaScript.
  await page.getByLabel('Calculate from').selectOption('all');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/attempts=all/);
  await expect(page.getByLabel('Calculate from')).toHaveValue('all');
  await expect(page.locator('form.filters .hint')).toContainText(/attempts counted, of \d+ graded attempts/);

  const link = page.getByRole('link', { name: 'XLSX' });
  await expect(link).toHaveAttribute('href', /grades\.xlsx\?attempts=all$/);
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(file.suggestedFilename()).toMatch(/^quiz-\d+-grades\.xlsx$/);
  const head = readFileSync(await file.path());
  expect(head.subarray(0, 2).toString()).toBe('PK');
});

test('a manager reads the dashboard, narrows to a team, opens the pass-rate report, drills down to a person and downloads the XLSX', async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  await ready(page, info);
  const floor = page.locator('.dashboard section').first();
  await expect(floor.getByRole('heading', { name: 'On the floor today' })).toBeVisible();
  const cleared = floor.locator('.tiles div', { hasText: 'Cleared for the floor' }).locator('dd');
  const [all] = (await cleared.innerText()).split(' / ').map(Number).slice(1);
  expect(all).toBeGreaterThan(0);
  await expect(page.locator('figure.chart svg polyline')).toHaveCount(1);

  // Narrow to one team: fewer people, and the address carries the choice.
  await floor.getByLabel('Team').selectOption({ label: 'Shanghai / After-sales / Service Team 2' });
  await floor.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/\?team=\d+/);
  await expect(floor.getByLabel('Team')).toHaveValue(/\d+/);
  const [narrowed] = (await cleared.innerText()).split(' / ').map(Number).slice(1);
  expect(narrowed).toBeLessThan(all);
  // The figure links to the people behind it, in that team.
  await expect(floor.locator('.tiles a', { hasText: /\d+ \/ \d+/ })).toHaveAttribute('href', /\/team\/roster\?status=cleared&team=\d+/);
  // A program's line opens the roster of that program's people in the team, who are as many
  // as the line counts.
  const program = floor.locator('table.floor-lines').nth(1).locator('tbody tr').first();
  const needed = Number((await program.locator('td.num').innerText()).split(' / ')[1]);
  await program.locator('a').click();
  await expect(page).toHaveURL(/\/team\/roster\?program=\d+&team=\d+/);
  await ready(page, info);
  await expect(page.locator('table tbody tr')).toHaveCount(needed);

  await page.goto('/');
  await ready(page, info);
  await page.getByRole('link', { name: 'The pass-rate report →' }).click();
  await expect(page).toHaveURL(/\/reports\/pass-rates\?from=/);
  await ready(page, info);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pass rates');
  await page.getByLabel('Rows by').selectOption('team');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/group=team/);
  const rows = page.locator('table.report tbody tr');
  await expect(rows.first()).toBeVisible();
  await expect(page.locator('figure.chart svg rect.bar').first()).toBeVisible();

  // Drill down: the row's people, each a link to their certification.
  await rows.first().locator('a').click();
  await expect(page).toHaveURL(/row=\d+/);
  const people = page.locator('section.people');
  await expect(people.getByRole('heading', { level: 2 })).toContainText('people x quizzes');
  const person = people.locator('tbody tr a').first();
  await expect(person).toHaveAttribute('href', /^\/people\/\d+\/certification$/);

  const xlsx = page.getByRole('link', { name: 'XLSX' });
  await expect(xlsx).toHaveAttribute('href', /pass-rates\.xlsx\?.*row=\d+/);
  const [file] = await Promise.all([page.waitForEvent('download'), xlsx.click()]);
  expect(file.suggestedFilename()).toBe('pass-rates.xlsx');
  expect(readFileSync(await file.path()).subarray(0, 2).toString()).toBe('PK');

  await person.click();
  await expect(page).toHaveURL(/\/people\/\d+\/certification$/);
  await expect(page.locator('h1')).not.toHaveText(/not found|不存在/i);
});

test("a manager finds this week's digest among the notices and opens the dashboard from it", async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  await ready(page, info);
  // The digest was written when the server started; other specs may have moved the figures since.
  await page.goto('/notifications');
  await ready(page, info);
  const digest = page.locator('ul.notices .digest');
  await expect(digest).toHaveCount(1);
  await expect(digest.locator('strong')).toHaveText(/^Weekly digest, \d{4}-W\d{2}: your teams$/);
  await expect(digest).toContainText(/Cleared for the floor today: \d+ of \d+ people/);
  await expect(digest).toContainText('Passed on the first attempt, last 30 days:');
  await digest.getByRole('link', { name: 'Open the dashboard →' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('.dashboard')).toBeVisible();
});

test('a manager opens the role-play criteria from the dashboard, narrows to a team and downloads the CSV', async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  await ready(page, info);
  await page.getByRole('link', { name: 'Role-play criteria →' }).click();
  await expect(page).toHaveURL(/\/reports\/roleplay-criteria\?from=/);
  await ready(page, info);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Role-play criteria');
  const rows = page.locator('table.criteria tbody tr');
  await expect(rows.first()).toBeVisible();
  const all = await rows.count();
  // Each row: a scenario, a criterion, how many role-plays rated it, and its figures.
  await expect(rows.first().locator('td').nth(2)).toHaveText(/^\d+$/);
  await expect(rows.first().locator('td').nth(3)).toHaveText(/^\d+ %$/);
  await expect(page.locator('figure.chart svg rect.bar').first()).toBeVisible();

  await page.getByRole('combobox', { name: 'Team' }).selectOption({ label: 'Shanghai / After-sales / Service Team 2' });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/team=\d+/);
  await expect(page.getByRole('combobox', { name: 'Team' })).toHaveValue(/\d+/);
  expect(await page.locator('table.criteria tbody tr').count()).toBeLessThanOrEqual(all);

  // Per trainer who rated: each row a name and how many role-plays they rated.
  await expect(page.getByRole('heading', { name: 'By trainer who rated' })).toBeVisible();
  await expect(page.locator('table.criteria-trainers tbody tr').first().locator('td').nth(1)).toHaveText(/^\d+$/);

  const link = page.getByRole('link', { name: 'CSV' }).first();
  await expect(link).toHaveAttribute('href', /roleplay-criteria\.csv\?team=\d+&from=/);
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(file.suggestedFilename()).toBe('roleplay-criteria.csv');
  const text = readFileSync(await file.path(), 'utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  expect(text).toContain('Criterion');
});

test('a manager opens the pre/post gains, picks the post-test and downloads each person as XLSX', async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  await page.goto('/reports/gains');
  await ready(page, info);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pre/post gains');
  await expect(page.getByText('Pick a post-test').last()).toBeVisible();
  await page.getByRole('combobox', { name: 'Post-test' }).selectOption({ label: 'Post-test' });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/\/reports\/gains\?quiz=\d+/);
  await ready(page, info);
  const figures = page.locator('section.gains dl.figures');
  const pairs = Number(await figures.locator('div', { hasText: 'People with both' }).locator('dd').innerText());
  expect(pairs).toBeGreaterThan(0);
  await expect(figures.locator('div', { hasText: 'Class normalized gain' }).locator('dd')).toHaveText(/^[+-]\d\.\d\d$|^—$/);
  // His people only, one line per team of his.
  await expect(page.getByRole('heading', { name: 'By team' })).toBeVisible();
  // Everyone of his who took either test is listed; the pairs are among them.
  expect(await page.locator('table.gain-people tbody tr').count()).toBeGreaterThanOrEqual(pairs);

  const link = page.getByRole('link', { name: 'XLSX' }).last();
  await expect(link).toHaveAttribute('href', /gains\.xlsx\?quiz=\d+&table=people$/);
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(file.suggestedFilename()).toBe('gains.xlsx');
  expect(readFileSync(await file.path()).subarray(0, 2).toString()).toBe('PK');
});

test('the pass-rate report lists role-play scenarios beside the quizzes, and one can be picked', async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  await page.goto('/reports/pass-rates');
  await ready(page, info);
  const rows = page.locator('table.report tbody tr');
  await expect(rows.filter({ hasText: 'Role-play: Overdue furniture repair' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'Post-test' }).first()).toBeVisible();
  await page.getByRole('combobox', { name: 'Quiz or role-play', exact: true }).selectOption({ label: 'Role-play: Overdue furniture repair' });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/quiz=s\d+/);
  await ready(page, info);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Role-play: Overdue furniture repair');
});
