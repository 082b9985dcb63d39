import type { Locator } from '@playwright/test';
import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

// The trainer reads English: the course's English title.
const COURSE = 'After-sales customer service onboarding';

test('a trainer imports GIFT and builds a pre-test; a trainee resumes it after a reload and submits; the essay is graded', async ({ page }, info) => {
  const stamp = `${info.project.name}-${Date.now() % 100000}`;
  const quizTitle = `Baseline ${stamp}`;
  const js = info.project.name === 'js';

  // The trainer (English UI) makes a bank for the demo course and imports two GIFT files:
  // Moodle's own fixture as it is, and six questions of ours in a category of their own.
  await signIn(page, DEMO.trainer.login);
  await expect(page.locator('h1')).toContainText(DEMO.trainer.name);
  await page.goto('/trainer/banks');
  await ready(page, info);
  await page.locator('input[name=name]').fill(`Bank ${stamp}`);
  await page.locator('select[name=course_id]').selectOption({ label: COURSE });
  await page.getByRole('button', { name: 'Create bank' }).click();
  await expect(page).toHaveURL(/\/trainer\/banks\/\d+$/);
  await ready(page, info);
  // Moodle's fixture as a file upload (works without JavaScript: a plain multipart form).
  const upload = page.locator('form[enctype="multipart/form-data"]');
  await upload.locator('input[type=file]').setInputFiles('../tests/fixtures/gift/moodle-questions.gift.txt');
  await upload.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('.alert.ok')).toContainText('9 questions imported');
  const ours = [
    `$CATEGORY: $course$/${stamp}`,
    '',
    '::Hotline::热线服务时间？ Hotline hours? {=24 小时 24 hours ~8 小时 8 hours ~12 小时 12 hours}',
    '',
    '::Onsite::到达现场时限？ On site within? {~30 分钟 30 minutes =1 小时 1 hour ~1 天 1 day}',
    '',
    '::Misuse::人为损坏属于三包。 Misuse is covered. {F}',
    '',
    '::Repairs::连续维修几次后换新？ Replace after how many repairs? {#3}',
    '',
    '::Form::投诉受理表 Complaint form: name the form (one word). {=受理表 =intake}',
    '',
    '::Apology::写出你的道歉。 Write your apology. {}',
  ].join('\n');
  await ready(page, info);
  const importer = page.locator('details.card', { hasText: 'Import GIFT' });
  await importer.locator('summary').click();
  await importer.locator('textarea[name=gift]').fill(ours);
  await importer.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('.alert.ok')).toContainText('6 questions imported');
  await expect(page.locator('li.question-row')).toHaveCount(15);

  // A pre-test of the six, one attempt.
  await page.goto('/trainer/quizzes');
  await ready(page, info);
  await page.locator('select[name=course_id]').selectOption({ label: COURSE });
  await page.locator('input[name=title_en]').fill(quizTitle);
  await page.locator('select[name=kind]').selectOption('pre_test');
  await page.locator('input[name=attempts_allowed]').fill('1');
  await page.getByRole('button', { name: 'Create quiz' }).click();
  await expect(page).toHaveURL(/\/trainer\/quizzes\/\d+$/);
  await ready(page, info);
  await page.locator('select[name=bank_id]').selectOption({ label: `Bank ${stamp} (15)` });
  await page.locator('input[name=category]').fill(stamp);
  await page.locator('input[name=draw_count]').fill('6');
  await page.getByRole('button', { name: 'Add a random draw' }).click();
  await expect(page.locator('li.slot')).toHaveCount(1);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('p.status')).toHaveText('Published');
  await signOut(page);

  // The trainee (Chinese UI) starts it from My learning.
  await signIn(page, 'E1002');
  await page.goto('/learn');
  await page.locator('li.quiz a', { hasText: quizTitle }).click();
  await ready(page, info);
  await page.getByRole('button', { name: '开始' }).click();
  await expect(page).toHaveURL(/\/attempt\/\d+$/);
  await ready(page, info);
  const page1 = page.url();
  // Nothing on the page names the right answers.
  const html = await page.content();
  expect(html).not.toContain('"weight"');
  expect(html).not.toContain('intake');

  const q = (stem: string) => page.locator('fieldset.question', { hasText: stem });
  // Every answer given, with the check that it is still there after a reload.
  const given: { stem: string; page: number; check: (fs: Locator) => Promise<void> }[] = [];
  const answerVisible = async (pageNo: number) => {
    for (const fs of await page.locator('fieldset.question').all()) {
      const text = (await fs.textContent()) ?? '';
      const pick = async (stem: string, label: string) => {
        await fs.getByLabel(label).check();
        given.push({ stem, page: pageNo, check: (f) => expect(f.getByLabel(label)).toBeChecked() });
      };
      const fill = async (stem: string, field: string, value: string) => {
        await fs.locator(field).fill(value);
        given.push({ stem, page: pageNo, check: (f) => expect(f.locator(field)).toHaveValue(value) });
      };
      if (text.includes('Hotline hours')) await pick('Hotline hours', '24 小时 24 hours');
      if (text.includes('On site within')) await pick('On site within', '1 小时 1 hour');
      if (text.includes('Misuse is covered')) await pick('Misuse is covered', '错');
      if (text.includes('Replace after')) await fill('Replace after', 'input', '3');
      if (text.includes('Complaint form')) await fill('Complaint form', 'input', '  INTAKE ');
      if (text.includes('Write your apology')) await fill('Write your apology', 'textarea', '非常抱歉，我们马上处理。We are sorry; we will fix it now.');
    }
  };
  await answerVisible(0);
  await page.getByRole('button', { name: '下一页' }).click();
  await expect(page).toHaveURL(/page=1$/);
  await ready(page, info);
  await answerVisible(1);
  expect(given.map((g) => g.stem).sort()).toEqual(
    ['Complaint form', 'Hotline hours', 'Misuse is covered', 'On site within', 'Replace after', 'Write your apology'],
  );
  const last = page.locator('fieldset.question').first();
  if (js) {
    // With JavaScript every change is saved in the background.
    await last.locator('input, textarea').first().blur();
    await expect(page.locator('.actions [role=status]').first()).toHaveText('已保存');
  } else {
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await expect(page).toHaveURL(/page=1$/);
  }
  // Reload mid-way: the attempt resumes with every answer in place, on both pages.
  const answersKept = async (pageNo: number) => {
    for (const g of given.filter((g) => g.page === pageNo)) await g.check(q(g.stem));
  };
  await page.reload();
  await ready(page, info);
  await expect(page.locator('.timer')).toContainText('剩余时间');
  await answersKept(1);
  await page.goto(page1);
  await ready(page, info);
  await answersKept(0);
  await expect(q('Hotline hours').or(q('On site within')).or(q('Misuse')).first()).toBeVisible();

  await page.getByRole('button', { name: '提交' }).click();
  await expect(page).toHaveURL(/\/attempt\/\d+\/result$/);
  await expect(page.locator('.verdict')).toHaveText('等待培训师阅卷');
  await expect(page.locator('li.review')).toHaveCount(6);
  const resultUrl = page.url();
  await signOut(page);

  // The trainer grades the essay; the trainee's result is final.
  await signIn(page, DEMO.trainer.login);
  await page.goto('/trainer/grading');
  await ready(page, info);
  const essay = page.locator('section.essay', { hasText: quizTitle });
  await expect(essay.locator('blockquote')).toContainText('We are sorry');
  await essay.locator('input[name=awarded]').fill('1');
  await essay.locator('input[name=comment]').fill('Good: apology and next step.');
  await essay.getByRole('button', { name: 'Save grade' }).click();
  await expect(page.locator('section.essay', { hasText: quizTitle })).toHaveCount(0);
  await signOut(page);

  await signIn(page, 'E1002');
  await page.goto(resultUrl);
  await expect(page.locator('.verdict')).toHaveText('通过');
  await expect(page.locator('dd.score')).toHaveText('100%');
});
