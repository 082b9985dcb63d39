import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

test('a trainer publishes a course; a trainee completes a lesson and the progress bar moves', async ({ page }, info) => {
  const title = `Warranty basics ${info.project.name} ${Date.now() % 100000}`;

  // The trainer (English UI) creates the course.
  await signIn(page, DEMO.trainer.login);
  await expect(page.locator('h1')).toContainText(DEMO.trainer.name);
  await page.goto('/trainer/courses');
  await ready(page, info);
  await page.locator('input[name=title]').fill(title);
  await page.locator('select[name=training_type]').selectOption('pre_job');
  await page.locator('input[name=duration_minutes]').fill('30');
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/trainer\/courses\/\d+$/);
  await expect(page.locator('h1')).toHaveText(title);
  await ready(page, info);

  // A module with one lesson whose Markdown tries to smuggle in a script.
  await page.locator('input[placeholder="New module title"]').fill('三包 rules');
  await page.getByRole('button', { name: 'Add module' }).click();
  await expect(page.locator('section.module h3')).toHaveText('三包 rules');
  await page.locator('section.module summary', { hasText: 'Add lesson' }).click();
  const addLesson = page.locator('form:has(input[name=module_id]):has(textarea[name=body_md])');
  await addLesson.locator('input[name=title]').fill('Repair, replace, refund');
  await addLesson
    .locator('textarea[name=body_md]')
    .fill('Faults **not caused by the user** are repaired free.\n\n<img src=x onerror="alert(1)">');
  await addLesson.getByRole('button', { name: 'Add lesson' }).click();
  await expect(page.locator('section.module details.lesson-edit summary')).toHaveText('Repair, replace, refund');

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('p.status')).toContainText('Published');
  await page.locator('textarea[name=employee_numbers]').fill('E1002');
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await expect(page.locator('table.list')).toContainText('E1002');
  await signOut(page);

  // The trainee (Chinese UI) finds it on their home page with an empty progress bar.
  await signIn(page, 'E1002');
  const card = page.locator('li.course', { hasText: title });
  await expect(card.locator('progress')).toHaveAttribute('value', '0');
  await card.locator('a.button.primary').click();
  await expect(page.locator('article.lesson h1')).toHaveText('Repair, replace, refund');
  await expect(page.locator('.lesson-body strong')).toHaveText('not caused by the user');
  await expect(page.locator('.lesson-body [onerror]')).toHaveCount(0);
  await ready(page, info);
  await page.locator('form:has(input[name=lesson_id]) button.primary').click();

  // Finished: back on the course page, the bar is full.
  await expect(page).toHaveURL(/\/learn\/\d+\?finished=1$/);
  await expect(page.locator('.alert.ok')).toBeVisible();
  await expect(page.locator('progress')).toHaveAttribute('value', '1');
  await expect(page.locator('progress')).toHaveAttribute('max', '1');
  await page.goto('/');
  await expect(page.locator('li.course', { hasText: title }).locator('progress')).toHaveAttribute('value', '1');
});
