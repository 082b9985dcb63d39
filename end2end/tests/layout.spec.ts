import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

// Every page, as each of its users sees it: it fits a 390 px phone without scrolling sideways,
// and axe-core finds no serious or critical accessibility violation.

const PHONE = { width: 390, height: 844 };

/// The first link on `from` whose address matches `pattern`, to reach pages about one object.
async function firstLink(page: Page, info: TestInfo, from: string, pattern: RegExp): Promise<string> {
  await page.goto(from);
  await ready(page, info);
  const hrefs = await page.locator('main a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const href = hrefs.find((h) => pattern.test(h));
  expect(href, `a link like ${pattern} on ${from}`).toBeTruthy();
  return href!;
}

async function check(page: Page, info: TestInfo, path: string) {
  const res = await page.goto(path);
  expect(res!.status(), path).toBeLessThan(400);
  await ready(page, info);
  await expect(page.locator('main h1').first(), `${path} has a heading`).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${path} scrolls sideways by ${overflow}px on a phone`).toBeLessThanOrEqual(0);
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `${path}: accessibility`).toEqual([]);
}

test.use({ viewport: PHONE });
// Each test walks a role's every page with axe: a budget for the walk, not a speed target.
test.describe.configure({ timeout: 180_000 });

// The pages are the same HTML and CSS with JavaScript off (the phone menu is a checkbox); axe and
// the width check run scripts in the page, so they run in the JavaScript project.
test.beforeEach(({}, info) => {
  test.skip(info.project.name !== 'js', 'layout and axe run with JavaScript: the markup is the same without it');
});

test('the trainee pages fit a phone and pass axe', async ({ page }, info) => {
  await signIn(page, DEMO.trainee.login);
  const course = await firstLink(page, info, '/learn', /^\/learn\/\d+$/);
  const lesson = await firstLink(page, info, course, /^\/learn\/lesson\/\d+$/);
  for (const path of ['/', '/learn', course, lesson, '/roleplays', '/plans', '/surveys', '/followups', '/notifications', '/account']) {
    await check(page, info, path);
  }
  const certificate = await firstLink(page, info, '/', /^\/certificates\//).catch(() => null);
  if (certificate) await check(page, info, certificate);
  await signOut(page);
  await check(page, info, '/login');
});

test('the trainer pages fit a phone and pass axe', async ({ page }, info) => {
  await signIn(page, DEMO.trainer.login);
  const course = await firstLink(page, info, '/trainer/courses', /^\/trainer\/courses\/\d+$/);
  const bank = await firstLink(page, info, '/trainer/banks', /^\/trainer\/banks\/\d+$/);
  const quiz = await firstLink(page, info, '/trainer/quizzes', /^\/trainer\/quizzes\/\d+$/);
  const rubric = await firstLink(page, info, '/trainer/rubrics', /^\/trainer\/rubrics\/\d+$/);
  const scenario = await firstLink(page, info, '/trainer/scenarios', /^\/trainer\/scenarios\/\d+$/);
  const program = await firstLink(page, info, '/trainer/programs', /^\/trainer\/programs\/\d+$/);
  const plan = await firstLink(page, info, '/plans', /^\/plans\/\d+$/);
  const session = await firstLink(page, info, plan, /^\/plans\/\d+\/sessions\/\d+$/);
  const roleplay = await firstLink(page, info, '/roleplays', /^\/roleplay\/\d+$/);
  for (const path of [
    '/',
    '/trainer/courses',
    course,
    `${course}/preview`,
    '/trainer/banks',
    bank,
    '/trainer/quizzes',
    quiz,
    `${quiz}/results`,
    `${quiz}/statistics`,
    '/trainer/grading',
    '/trainer/rubrics',
    rubric,
    '/trainer/rubrics/new',
    '/trainer/scenarios',
    scenario,
    '/trainer/calibration',
    '/trainer/programs',
    program,
    '/trainer/forms',
    '/trainer/surveys',
    '/reports/on-the-job',
    '/plans',
    plan,
    session,
    `${plan}/print`,
    '/roleplays',
    roleplay,
  ]) {
    await check(page, info, path);
  }
});

test('the manager and admin pages fit a phone and pass axe', async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  const person = await firstLink(page, info, '/team/roster', /^\/people\/\d+\/certification$/);
  await page.goto('/reports/gains');
  const postTest = await page.locator('select[name=quiz] option').nth(1).getAttribute('value');
  for (const path of [
    '/',
    '/team/roster',
    '/team/roster?status=not_cleared',
    person,
    '/team/progress',
    '/plans',
    '/reports/pass-rates?group=team',
    '/reports/roleplay-criteria',
    `/reports/gains?quiz=${postTest}`,
    '/followups',
    '/reports/on-the-job',
    '/reports/on-the-job?group=team',
    '/team/metrics',
  ]) {
    await check(page, info, path);
  }
  // A follow-up to observe, on a phone.
  const followup = await firstLink(page, info, '/followups', /^\/followups\/\d+$/);
  await check(page, info, followup);
  await signOut(page);
  await signIn(page, DEMO.admin.login);
  const user = await firstLink(page, info, '/admin/users', /^\/admin\/users\/\d+$/);
  for (const path of [
    '/',
    '/admin/users',
    '/admin/users/new',
    user,
    '/admin/teams',
    '/admin/positions',
    '/admin/organisation',
    '/admin/course-lists',
    '/admin/tokens',
    '/admin/audit',
    '/admin/metrics',
  ]) {
    await check(page, info, path);
  }
});

test('a verify page and the error pages fit a phone and pass axe', async ({ page }, info) => {
  await page.goto('/verify/FR-0000-XXXX-XXXX');
  await ready(page, info);
  await expect(page.locator('main h1')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.goto('/no/such/page');
  await expect(page.locator('main h1')).toBeVisible();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
});
