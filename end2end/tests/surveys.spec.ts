import ExcelJS from 'exceljs';
import { DEMO, expect, ready, signIn, test } from './helpers';

// Two demo trainees one lesson from the end of the onboarding course: one per project, so the
// JavaScript and plain-HTML runs each answer a survey of their own.
const PEOPLE = { js: 'E1009', nojs: 'E1010' };
const COURSE = /After-sales customer service onboarding|售后客服岗前培训/;

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('a trainee finishes the course, is asked its survey and answers it', async ({ page }, info) => {
    const who = PEOPLE[info.project.name as 'js' | 'nojs'];
    await signIn(page, who);
    // The certification spec may already have taken them through the last lesson; if not, they
    // read it here. Either way finishing the course is what asked them.
    await page.goto('/surveys');
    if ((await page.locator('ul.surveys a').count()) === 0) {
      await page.goto('/');
      await page.locator('li.course', { hasText: COURSE }).locator('a.button.primary').click();
      await ready(page, info);
      await page.locator('form:has(input[name=lesson_id]) button.primary').click();
      await expect(page).toHaveURL(/\/learn\/\d+\?finished=1$/);
      await page.goto('/surveys');
    }
    // The notice links the same survey.
    const survey = page.locator('ul.surveys a', { hasText: COURSE });
    const href = (await survey.getAttribute('href'))!;
    await page.goto('/notifications');
    await expect(page.locator(`ul.notices a[href="${href}"]`)).toBeVisible();

    await page.goto(href);
    await ready(page, info);
    await expect(page.locator('h1')).toContainText(COURSE);
    await expect(page.locator('main')).toContainText(/anonymous|匿名/);
    const form = page.locator('form.survey');
    // The scales by their labels, the recommendation by its number: each a row to tap.
    const questions = form.locator('fieldset.question');
    await questions.nth(0).getByRole('radio', { name: /^4 (Agree|同意)$/ }).check();
    await questions.nth(1).getByRole('radio', { name: /^5 (Strongly agree|非常同意)$/ }).check();
    await questions.nth(2).getByRole('radio', { name: /^3 (Neutral|一般)$/ }).check();
    await questions.nth(3).getByRole('radio', { name: /^(Yes|是)$/ }).check();
    await questions.nth(4).getByRole('radio', { name: '9', exact: true }).check();
    await form.locator('textarea').fill(`More practice calls (${info.project.name})`);
    // Every choice can be reached without scrolling sideways.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await form.locator('button.primary').click();
    await expect(page.locator('.alert.ok')).toContainText(/Thank you|谢谢/);
    await page.goto(href);
    await expect(page.locator('p.empty')).toContainText(/You have answered this survey|已填写/);
    await page.goto('/surveys');
    await expect(page.locator('ul.surveys a', { hasText: COURSE })).toHaveCount(0);
  });
});

test('a trainer writes a form, and reads a course survey\'s results without names', async ({ page }, info) => {
  const stamp = `${info.project.name}-${Date.now() % 100000}`;
  await signIn(page, DEMO.trainer.login);

  // A new form: the editor's spare rows take the questions, blank ones are ignored.
  await page.goto('/trainer/forms/new');
  await ready(page, info);
  await page.locator('input[name=title_en]').fill(`Session feedback ${stamp}`);
  await page.locator('select[name="items[0][kind]"]').selectOption('scale');
  await page.locator('input[name="items[0][text_en]"]').fill('The session was worth my time');
  await page.locator('textarea[name="items[0][options]"]').fill('No | No\nPartly | Partly\nYes | Yes');
  await page.locator('input[name="items[0][required]"]').check();
  await page.locator('select[name="items[1][kind]"]').selectOption('short_text');
  await page.locator('input[name="items[1][text_en]"]').fill('One thing to keep');
  await page.locator('form.survey-form button.primary').click();
  await expect(page).toHaveURL(/\/trainer\/forms\/\d+(\?saved=1)?$/);
  await expect(page.locator('.alert.ok')).toBeVisible();
  await expect(page.locator('input[name="items[0][text_en]"]')).toHaveValue('The session was worth my time');
  await expect(page.locator('select[name="items[1][kind]"]')).toHaveValue('short_text');
  // A scale with one point is refused, by name, and the form keeps its questions.
  await page.locator('textarea[name="items[0][options]"]').fill('Only one');
  await page.locator('form.survey-form button.primary').click();
  await expect(page.locator('.alert.error')).toContainText(/2 to 11 points|2 到 11/);
  await page.reload();
  // The same text in both languages is shown once.
  await expect(page.locator('textarea[name="items[0][options]"]')).toHaveValue('No\nPartly\nYes');

  // The onboarding course's results: the demo's five answers and more; no one is named.
  await page.goto('/trainer/surveys');
  await ready(page, info);
  // The course's survey (the training plan around it has one too).
  await page.locator('table.list tr', { hasText: /\(course\)|（课程）/ }).locator('a', { hasText: COURSE }).click();
  await expect(page).toHaveURL(/\/trainer\/surveys\/\d+$/);
  await expect(page.locator('h1')).toContainText(COURSE);
  await expect(page.locator('section.item-result')).toHaveCount(6);
  await expect(page.locator('section.item-result svg').first()).toBeVisible();
  await expect(page.locator('section.item-result').nth(4)).toContainText('NPS');
  await expect(page.locator('ul.comments')).toContainText('More field-service cases, please.');
  for (const name of ['Wang Fang', 'Zhao Lei', 'Qian Jing', 'Sun Hao', 'Zhou Ting', 'Lin Chen', 'Zheng Yang', 'E100']) {
    await expect(page.locator('main')).not.toContainText(name);
  }
  const url = page.url();
  const xlsx = await page.request.get(`${url}/results.xlsx`);
  expect(xlsx.status()).toBe(200);
  expect(xlsx.headers()['content-disposition']).toContain('.xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await xlsx.body());
  const sheet = book.worksheets[0];
  expect((sheet.getRow(1).values as unknown[]).map(String)).toContain(sheet.getRow(1).getCell(1).value === '问题' ? '问题' : 'Question');
  const firstColumn = (sheet.getColumn(1).values as unknown[]).map(String);
  expect(firstColumn.some((v) => v.includes('The content is useful for my work'))).toBe(true);
});

test('a manager reads the survey results of their teams\' people, without names', async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  await page.goto('/trainer/surveys');
  await ready(page, info);
  await page.locator('table.list tr', { hasText: /\(course\)|（课程）/ }).locator('a', { hasText: COURSE }).click();
  await expect(page).toHaveURL(/\/trainer\/surveys\/\d+$/);
  await expect(page.locator('section.item-result')).toHaveCount(6);
  for (const name of ['Wang Fang', 'Zhao Lei', 'Qian Jing', 'Sun Hao', 'Zhou Ting', 'E100']) {
    await expect(page.locator('main')).not.toContainText(name);
  }
  // The form editor stays the authors'.
  const res = await page.goto('/trainer/forms');
  expect(res!.status()).toBe(403);
});
