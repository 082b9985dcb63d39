import { expect, makeQuiz, ready, startQuiz, test } from './helpers';

test('when the countdown reaches zero the attempt submits itself, not a second before', async ({ page }, info) => {
  test.skip(info.project.name !== 'js', 'the countdown runs in the browser; without JavaScript the server closes the attempt at its deadline (tests/suite/quizzes.rs)');
  const title = `Timed ${info.project.name}-${Date.now() % 100000}`;
  await makeQuiz(page, info, title, 1, 5);
  // The page's timers run on Playwright's clock from here on, stopped until the test moves it.
  await page.clock.install();
  await startQuiz(page, info, 'E1003', title);
  await page.clock.pauseAt(Date.now() + 1000);
  await expect(page.locator('.timer')).toContainText(/剩余时间：0:5\d/);
  // Whatever kinds of question were drawn, the page saves a chosen option.
  await page.locator('fieldset.question input[type=radio], fieldset.question input[type=checkbox]').first().check();
  await expect(page.locator('.actions [role=status]').first()).toHaveText('已保存');

  // Half a minute on, the attempt is still open, and under a minute the timer turns urgent.
  await page.clock.runFor('00:30');
  await expect(page.locator('.timer')).toContainText(/剩余时间：0:[23]\d/);
  await expect(page).toHaveURL(/\/attempt\/\d+$/);
  await expect(page.locator('.timer')).toHaveClass(/urgent/);

  // Past the limit: it submits itself.
  await page.clock.runFor('00:35');
  await expect(page).toHaveURL(/\/attempt\/\d+\/result$/);
  await expect(page.locator('.verdict')).toBeVisible();
  await expect(page.locator('.verdict')).not.toHaveText('作答中');
  // The attempt page now says it is closed instead of offering the questions again.
  await page.goBack();
  await expect(page.locator('#attempt-form')).toHaveCount(0);
  await expect(page.getByRole('status')).toContainText('本次作答已结束');
});

test('a page older than a later save is not saved over it, and says so', async ({ page, context }, info) => {
  const js = info.project.name === 'js';
  const title = `Two tabs ${info.project.name}-${Date.now() % 100000}`;
  await makeQuiz(page, info, title, 30, 5);
  await startQuiz(page, info, 'E1007', title);
  const attempt = page.url();
  // The first single-choice question (the draw also holds orderings and matchings).
  const choice = (p: Page, i: number) => p.locator('fieldset.question:has(input[type=radio])').first().locator('input[type=radio]').nth(i);

  // A second tab opens the same attempt before the first one saves.
  const older = await context.newPage();
  await older.goto(attempt);
  await ready(older, info);

  // The first tab saves an answer.
  await choice(page, 0).check();
  if (js) {
    await expect(page.locator('.actions [role=status]').first()).toHaveText('已保存');
  } else {
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await expect(page).toHaveURL(/\/attempt\/\d+\?page=0$/);
  }

  // The older tab picks another answer: refused, with the reason.
  await choice(older, 1).check();
  if (js) {
    await expect(older.locator('.actions [role=status]').first()).toHaveText('此页面已过期（另一个标签页保存得更晚）。请刷新。');
  }
  await older.getByRole('button', { name: '保存', exact: true }).click();
  await expect(older).toHaveURL(/problem=stale/);
  await expect(older.getByRole('alert')).toContainText('未保存：此页面比之后保存的答案旧');
  // It now shows the answers that are stored: the first tab's.
  await ready(older, info);
  await expect(choice(older, 0)).toBeChecked();
  await expect(choice(older, 1)).not.toBeChecked();
  await older.close();

  await page.reload();
  await ready(page, info);
  await expect(choice(page, 0)).toBeChecked();
});

test('after submitting, the back button shows the attempt as submitted, never a live one', async ({ page }, info) => {
  const title = `Back ${info.project.name}-${Date.now() % 100000}`;
  await makeQuiz(page, info, title, 30, 2);
  await startQuiz(page, info, 'E1006', title);
  // Answer a choice question if the draw holds one (an ordering or a matching has no box to tick);
  // the test is about the page after submitting, not the answer.
  const choice = page.locator('fieldset.question input[type=radio], fieldset.question input[type=checkbox]').first();
  if (await choice.count()) await choice.check();
  await page.locator('#submit-attempt').click();
  await expect(page).toHaveURL(/\/attempt\/\d+\/result$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/attempt\/\d+(\?.*)?$/);
  await expect(page.getByRole('status').filter({ hasText: '本次作答已结束' })).toBeVisible();
  await expect(page.locator('#attempt-form')).toHaveCount(0);
  await expect(page.locator('.timer')).toHaveCount(0);
});
