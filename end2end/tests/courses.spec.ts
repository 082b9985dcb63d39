import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

// A valid 1×1 PNG, so the browser really decodes the served image.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test('a trainer publishes a course; a trainee completes a lesson and the progress bar moves', async ({ page }, info) => {
  const title = `Warranty basics ${info.project.name} ${Date.now() % 100000}`;

  // The trainer (English UI) creates the course.
  await signIn(page, DEMO.trainer.login);
  await expect(page.locator('h1')).toContainText(DEMO.trainer.name);
  await page.goto('/trainer/courses');
  await ready(page, info);
  await page.locator('input[name=title_en]').fill(title);
  await page.locator('select[name=training_type]').selectOption('pre_job');
  await page.locator('input[name=duration_minutes]').fill('30');
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/trainer\/courses\/\d+$/);
  await expect(page.locator('h1')).toHaveText(title);
  await ready(page, info);

  // A module with one lesson whose Markdown tries to smuggle in a script.
  const addModule = page.locator('form', { has: page.getByRole('heading', { name: 'New module title' }) });
  await addModule.locator('input[name=title_zh]').fill('三包 rules');
  await page.getByRole('button', { name: 'Add module' }).click();
  await expect(page.locator('section.module h3')).toHaveText('三包 rules');

  // An image for the lesson: a plain multipart form; a file that only claims to be a PNG is refused.
  const files = page.locator('#files');
  await files.locator('input[type=file]').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<svg onload="alert(1)"/>') });
  await files.getByRole('button', { name: 'Upload' }).click();
  await expect(files.locator('.alert.error')).toContainText('not an accepted type');
  await files.locator('input[type=file]').setInputFiles({ name: '三包 流程.png', mimeType: 'image/png', buffer: PNG });
  await files.getByRole('button', { name: 'Upload' }).click();
  await expect(files.locator('.alert.ok')).toBeVisible();
  await expect(files.locator('tbody tr')).toHaveCount(1);
  const snippet = (await files.locator('code.snippet').textContent())!;
  expect(snippet).toMatch(/^!\[三包-流程\.png\]\(\/files\/\d+\/三包-流程\.png\)$/);
  await ready(page, info);

  await page.locator('section.module summary', { hasText: 'Add lesson' }).click();
  const addLesson = page.locator('form:has(input[name=module_id]):has(textarea[name=body_md])');
  await addLesson.locator('input[name=title_en]').fill('Repair, replace, refund');
  await addLesson
    .locator('textarea[name=body_md]')
    .fill(`Faults **not caused by the user** are repaired free.\n\n${snippet}\n\n<img src=x onerror="alert(1)">`);
  await addLesson.getByRole('button', { name: 'Add lesson' }).click();
  await expect(page.locator('section.module details.lesson-edit summary')).toHaveText('Repair, replace, refund');

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('p.status')).toContainText('Published');
  await page.locator('textarea[name=employee_numbers]').fill('E1002');
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await expect(page.locator('#learners table.list')).toContainText('E1002');
  await signOut(page);

  // The trainee (Chinese UI) finds it on their home page with an empty progress bar.
  await signIn(page, 'E1002');
  const card = page.locator('li.course', { hasText: title });
  await expect(card.locator('progress')).toHaveAttribute('value', '0');
  await card.locator('a.button.primary').click();
  await expect(page.locator('article.lesson h1')).toHaveText('Repair, replace, refund');
  await expect(page.locator('.lesson-body strong')).toHaveText('not caused by the user');
  await expect(page.locator('.lesson-body [onerror]')).toHaveCount(0);
  await expect(page.locator('.lesson-body img[src^="/files/"]')).toHaveJSProperty('naturalWidth', 1);
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

test("a manager sees the course progress of their own teams' people", async ({ page }, info) => {
  await signIn(page, DEMO.manager.login);
  await page.locator('nav details.group summary', { hasText: 'My team' }).click();
  await page.locator('nav a[href="/team/progress"]').click();
  await expect(page).toHaveURL(/\/team\/progress$/);
  await ready(page, info);
  const people = page.locator('section.card').nth(1).locator('table.list');
  await expect(people).toContainText('E1001');
  await expect(people).toContainText('E1003');
  await expect(people).not.toContainText('E2001');
  await expect(page.locator('section.card').first().locator('tbody tr').first().locator('progress')).toBeVisible();
});
