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
