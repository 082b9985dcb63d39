import type { Page } from '@playwright/test';
import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

// What people hit when they first tried Floorready in the field (issue 13), one test per defect.

const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');

/// Clicks `link` and expects the browser to save a file named like `name`, staying on this page
/// (the client router must not take the link and show its own "not found").
async function downloads(page: Page, link: ReturnType<Page['locator']>, name: RegExp) {
  const before = page.url();
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(file.suggestedFilename()).toMatch(name);
  expect(await file.failure()).toBeNull();
  expect(page.url()).toBe(before);
  await expect(page.locator('h1')).not.toHaveText(/not found|不存在/i);
}

test('every export, template and file link downloads, with JavaScript on as well', async ({ page }, info) => {
  await signIn(page, DEMO.trainer.login);
  await expect(page.locator('h1')).toContainText(DEMO.trainer.name);

  // The question bank's GIFT export and both import templates.
  await page.goto('/trainer/banks');
  await ready(page, info);
  await page.locator('a', { hasText: 'After-sales question bank' }).first().click();
  await expect(page).toHaveURL(/\/trainer\/banks\/\d+$/);
  await ready(page, info);
  await downloads(page, page.getByRole('link', { name: 'Export GIFT' }), /\.gift(\.txt)?$/);
  await downloads(page, page.locator('a[href="/banks/template.xlsx"]'), /\.xlsx$/);
  await downloads(page, page.locator('a[href="/banks/template.csv"]'), /\.csv$/);

  // A PDF handout: its link in the course editor, and the same link inside a lesson.
  const title = `Handouts ${info.project.name} ${Date.now() % 100000}`;
  await page.goto('/trainer/courses');
  await ready(page, info);
  await page.locator('input[name=title_en]').fill(title);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/trainer\/courses\/\d+$/);
  const editor = page.url();
  await ready(page, info);
  const files = page.locator('#files');
  await files.locator('input[type=file]').setInputFiles({ name: 'warranty terms.pdf', mimeType: 'application/pdf', buffer: PDF });
  await files.getByRole('button', { name: 'Upload' }).click();
  await expect(files.locator('tbody tr')).toHaveCount(1);
  await ready(page, info);
  // Stored with the space as a dash: warranty-terms.pdf.
  await downloads(page, files.locator('tbody a', { hasText: 'warranty-terms.pdf' }), /\.pdf$/);
  const href = (await files.locator('tbody a').first().getAttribute('href'))!;

  await page.locator('form', { has: page.getByRole('heading', { name: 'New module title' }) }).locator('input[name=title_en]').fill('Terms');
  await page.getByRole('button', { name: 'Add module' }).click();
  await expect(page.locator('section.module h3')).toHaveText('Terms');
  await page.locator('section.module summary', { hasText: 'Add lesson' }).click();
  const addLesson = page.locator('form:has(input[name=module_id]):has(textarea[name=body_md])');
  await addLesson.locator('input[name=title_en]').fill('Read the terms');
  await addLesson.locator('textarea[name=body_md]').fill(`Read [the warranty terms](${href}) before your first shift.`);
  await addLesson.getByRole('button', { name: 'Add lesson' }).click();
  await expect(page.locator('section.module details.lesson-edit summary')).toHaveText('Read the terms');
  await page.goto(`${editor}/preview`);
  await ready(page, info);
  await downloads(page, page.locator('.lesson-body a', { hasText: 'the warranty terms' }), /\.pdf$/);
  await signOut(page);

  // The manager's roster as CSV and XLSX.
  await signIn(page, DEMO.manager.login);
  await page.goto('/team/roster');
  await ready(page, info);
  await downloads(page, page.getByRole('link', { name: 'CSV', exact: true }), /\.csv$/);
  await downloads(page, page.getByRole('link', { name: 'XLSX', exact: true }), /\.xlsx$/);
});

test('an unknown address and a page for another role are styled error pages with the right status', async ({ page }, info) => {
  // Signed out: an address that does not exist is the app's own page, with the way home.
  const missing = await page.goto('/no/such/page');
  expect(missing!.status()).toBe(404);
  await expect(page.locator('main h1')).toHaveText('This page does not exist');
  await expect(page.getByRole('link', { name: 'Go to my home page' })).toBeVisible();

  // A trainee (Chinese UI) opening the admin's and the trainer's pages: 403, and nothing of the page.
  await signIn(page, 'E1006');
  await expect(page).toHaveURL(/\/$/);
  for (const path of ['/admin/users', '/admin/users/new', '/trainer/quizzes', '/trainer/programs/new', '/team/roster']) {
    const res = await page.goto(path);
    expect(res!.status(), path).toBe(403);
    await ready(page, info);
    await expect(page.locator('main h1'), path).toHaveText('您无权查看此页面');
    await expect(page.locator('main form'), path).toHaveCount(0);
  }
});

test('positions are a list: an import naming an unknown one is refused with its line; the roster counts people and lists who needs a program', async ({ page }, info) => {
  const stamp = `${info.project.name}${Date.now() % 100000}`;
  const no = `P${stamp}`.toUpperCase();
  const team = 'Shanghai / After-sales / Service Team 1';
  const row = (position: string) =>
    `employee_no,display_name,email,position,hire_date,team,roles,password\n${no},新人 ${stamp},${stamp}@example.com,${position},2026-11-20,${team},trainee,lantern-orbit-maple`;

  // The admin (Chinese UI) adds a position of their own; it has no program yet.
  await signIn(page, DEMO.admin.login);
  await page.goto('/admin/positions');
  await ready(page, info);
  const add = page.locator('form:has(button.primary)').filter({ hasText: '添加岗位' });
  await add.locator('input[name=name_zh]').fill(`试用岗 ${stamp}`);
  await add.locator('input[name=name_en]').fill(`Probation ${stamp}`);
  await add.getByRole('button', { name: '添加岗位' }).click();
  const names = () => page.locator('li.position input[name=name_en]').evaluateAll((es) => es.map((e) => (e as HTMLInputElement).value));
  await expect.poll(names).toContain(`Probation ${stamp}`);

  // An import naming a position that is not on the list: refused, naming the line and the value.
  await page.goto('/admin/users');
  await ready(page, info);
  const importer = page.locator('form:has(textarea[name=csv])');
  await importer.locator('textarea[name=csv]').fill(row('售后专员'));
  await importer.getByRole('button', { name: '导入' }).click();
  await expect(page.getByRole('alert')).toContainText('第 2 行');
  await expect(page.getByRole('alert')).toContainText('售后专员');
  await expect(page.getByRole('alert')).toContainText('不在岗位列表中');
  // The same row naming the new position in the other language, in lower case: imported.
  await page.goto('/admin/users');
  await ready(page, info);
  await importer.locator('textarea[name=csv]').fill(row(`probation ${stamp}`));
  await importer.getByRole('button', { name: '导入' }).click();
  await expect(page.locator('.alert.ok')).toContainText('已导入 1 个用户');
  await signOut(page);

  // The manager's roster: one line per person, the headline counts people; the newcomer is
  // listed as needing a program, and the home page says how many do.
  await signIn(page, DEMO.manager.login);
  await expect(page.locator('.dashboard .tiles').first()).toContainText('Cleared for the floor');
  await expect(page.locator('a[href="/team/roster?status=no_program"]')).toBeVisible();
  await page.goto('/team/roster');
  await ready(page, info);
  const lines = page.locator('table.roster tbody tr');
  const people = await lines.count();
  const ids = await lines.locator('td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(new Set(ids).size, 'one line per person').toBe(people);
  await expect(page.locator('.roster-counts strong')).toContainText(new RegExp(`of ${people} people cleared`));

  await page.locator('select[name=status]').selectOption('no_program');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/status=no_program/);
  const newcomer = page.locator('table.roster tbody tr', { hasText: no });
  await expect(newcomer).toContainText('No program is for this position yet');
  await expect(newcomer).toContainText(`Probation ${stamp}`);

  // Search by employee number, in lower case.
  await page.goto('/team/roster');
  await ready(page, info);
  await page.locator('input[name=q]').fill(no.toLowerCase());
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('table.roster tbody tr')).toHaveCount(1);
  await expect(page.locator('.roster-counts strong')).toContainText('of 1 people');
});

test('an unclosed { in GIFT is an error with its line, and nothing is imported', async ({ page }, info) => {
  await signIn(page, DEMO.trainer.login);
  await page.goto('/trainer/banks');
  await ready(page, info);
  await page.locator('a', { hasText: 'After-sales question bank' }).first().click();
  await expect(page).toHaveURL(/\/trainer\/banks\/\d+$/);
  await ready(page, info);
  const bank = page.url();
  const before = await page.locator('li.question-row').count();
  const importer = page.locator('details.card', { hasText: 'Import GIFT' });
  await importer.locator('summary').click();
  await importer.locator('textarea[name=gift]').fill('::A:: First? {=yes ~no\n\n::B:: Second? {=yes ~no}');
  await importer.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Line 1');
  await expect(page.getByRole('alert')).toContainText('not closed with }');
  await expect(page.locator('.alert.ok')).toHaveCount(0);
  // (Without JavaScript the refusal is the response to the post itself: go back to the bank.)
  await page.goto(bank);
  await expect(page.locator('li.question-row')).toHaveCount(before);
});

test('an employee number signs in whatever its case', async ({ page }) => {
  await signIn(page, 'e1005');
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('form[action*="/api/logout"]')).toBeVisible();
});

test('a large import with bad rows shows every error on the page and keeps the paste', async ({ page }, info) => {
  const rows = Array.from({ length: 400 }, (_, i) => `Q${i},Name ${i},q${i}@example.com,Nowhere ${i},,,trainee,lantern-orbit-maple`);
  const csv = ['employee_no,display_name,email,position,hire_date,team,roles,password', ...rows].join('\n');
  await signIn(page, DEMO.admin.login);
  await page.goto('/admin/users');
  await ready(page, info);
  const importer = page.locator('form:has(textarea[name=csv])');
  await importer.locator('textarea[name=csv]').fill(csv);
  await importer.getByRole('button', { name: '导入' }).click();
  // Without JavaScript this is the response page itself (no error in the address, no HTTP 414).
  await expect(page.getByRole('alert')).toContainText('第 401 行');
  await expect(page.getByRole('alert').locator('li')).toHaveCount(400);
  await expect(page).not.toHaveURL(/__err=/);
  await expect(page.locator('textarea[name=csv]')).toHaveValue(csv);
});

test("quiz windows are typed and shown on the site's clock, and the calendar names the zone", async ({ page }, info) => {
  await signIn(page, DEMO.trainer.login);
  await page.goto('/trainer/quizzes');
  await ready(page, info);
  const title = `Windowed ${info.project.name} ${Date.now() % 100000}`;
  const create = page.locator('form:has(select[name=course_id])');
  await create.locator('input[name=title_en]').fill(title);
  // The demo's sites keep China's clock, and the form says so.
  await expect(create.getByText('Closes (Asia/Shanghai)')).toBeVisible();
  await create.locator('input[name=closes_at]').fill('2031-01-05T08:00');
  await create.getByRole('button', { name: 'Create quiz' }).click();
  await expect(page).toHaveURL(/\/trainer\/quizzes\/\d+$/);
  await ready(page, info);
  await expect(page.locator('input[name=closes_at]')).toHaveValue('2031-01-05T08:00');
  await page.reload();
  await expect(page.locator('input[name=closes_at]')).toHaveValue('2031-01-05T08:00');

  // The plan's calendar file carries the zone, so another calendar moves sessions to the right hour.
  await page.goto('/plans');
  await ready(page, info);
  await page.locator('table a').first().click();
  await expect(page).toHaveURL(/\/plans\/\d+$/);
  await expect(page.locator('p.hint', { hasText: 'Asia/Shanghai' })).toBeVisible();
  const ics = await (await page.request.get(`${page.url()}/schedule.ics`)).text();
  expect(ics).toMatch(/DTSTART;TZID=Asia\/Shanghai:\d{8}T\d{6}/);
});

test('an old refusal goes away once the next form is sent, and a saved form is emptied', async ({ page }, info) => {
  test.skip(info.project.name === 'nojs', 'without JavaScript every post is a new page');
  await signIn(page, DEMO.admin.login);
  await page.goto('/admin/teams');
  await ready(page, info);
  const create = page.locator('section.card form:has(select[name=kind])');
  // A second top-level "上海 Shanghai" is refused...
  await create.locator('input[name=name_zh]').fill('上海');
  await create.locator('input[name=name_en]').fill('Shanghai');
  await create.getByRole('button', { name: '创建团队' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  // ...and the refusal does not stay above the next thing done.
  const name = `临时组 ${info.project.name} ${Date.now() % 100000}`;
  await create.locator('input[name=name_zh]').fill(name);
  await create.locator('input[name=name_en]').fill('');
  await create.getByRole('button', { name: '创建团队' }).click();
  await expect(page.locator('ul.tree summary', { hasText: name })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(create.locator('input[name=name_zh]')).toHaveValue('');
});

test("home pages are to-do lists: the trainer's work waiting, the admin's setup gaps", async ({ page }, info) => {
  await signIn(page, DEMO.trainer.login);
  await ready(page, info);
  const todo = page.locator('ul.todo').first();
  await expect(todo.getByRole('link', { name: /^Essays to grade: \d+$/ })).toHaveAttribute('href', '/trainer/grading');
  await expect(todo.getByRole('link', { name: /^Role-plays waiting for your rating: \d+$/ })).toHaveAttribute('href', '/roleplays');
  await expect(page.getByRole('heading', { name: 'Your sessions today' })).toBeVisible();
  await signOut(page);

  // The demo is set up completely; a site added without a time zone is a gap, linked to its page.
  await signIn(page, DEMO.admin.login);
  await page.goto('/admin/teams');
  await ready(page, info);
  const site = `无时区站点 ${info.project.name} ${Date.now() % 100000}`;
  const create = page.locator('section.card form:has(select[name=kind])');
  await create.locator('input[name=name_zh]').fill(site);
  await create.locator('select[name=kind]').selectOption('site');
  await create.getByRole('button', { name: '创建团队' }).click();
  await expect(page.locator('ul.tree summary', { hasText: site })).toBeVisible();
  await page.goto('/');
  await ready(page, info);
  await expect(page.getByRole('heading', { name: '待完善事项' })).toBeVisible();
  await expect(page.locator('ul.todo a', { hasText: site })).toHaveAttribute('href', '/admin/teams');
});

// A 1x1 transparent PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

test("an admin sets the organisation's logo; the header shows it with the organisation's name", async ({ page }, info) => {
  await signIn(page, DEMO.admin.login);
  await page.goto('/admin/organisation');
  await ready(page, info);
  const logo = page.locator('section.org-image', { hasText: '标志' });
  // A file that is not a picture is refused, naming why.
  await logo.locator('input[type=file]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('<svg/>') });
  await logo.getByRole('button', { name: '上传' }).click();
  await expect(page.getByRole('alert')).toContainText('不是 PNG 或 JPEG 图片');
  await page.locator('section.org-image', { hasText: '标志' }).locator('input[type=file]')
    .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await page.locator('section.org-image', { hasText: '标志' }).getByRole('button', { name: '上传' }).click();
  await expect(page.getByRole('status')).toContainText('图片已保存');
  await expect(page.locator('header .brand img.logo')).toHaveAttribute('src', /^\/org\/logo\?v=\d+$/);
  await expect(page.locator('header .brand')).toContainText('华信家电售后服务有限公司');
  const src = (await page.locator('header .brand img.logo').getAttribute('src'))!;
  const res = await page.request.get(src);
  expect(res.headers()['content-type']).toBe('image/png');
});

test('an admin uploads a CSV file of people as well as pasting one', async ({ page }, info) => {
  await signIn(page, DEMO.admin.login);
  await page.goto('/admin/users');
  await ready(page, info);
  const no = `U${info.project.name === 'js' ? 1 : 2}${Date.now() % 100000}`;
  const csv = 'employee_no,display_name,email,position,hire_date,team,roles,password\n'
    + `${no},上传的人,${no.toLowerCase()}@example.com,售后服务专员,2026-11-01,Shanghai / After-sales,trainee,lantern-orbit-maple\n`;
  const upload = page.locator('form.upload');
  await upload.locator('input[type=file]').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await upload.getByRole('button', { name: '上传并导入' }).click();
  await expect(page.getByRole('status')).toContainText('1');
  await page.goto(`/admin/users?q=${no}`);
  await expect(page.locator('table.users tbody tr')).toHaveCount(1);
  await expect(page.locator('table.users tbody tr td').nth(3)).toHaveText('上海 / 售后服务部');
});

test('a shared question bank hydrates with its editors card', async ({ page }, info) => {
  await signIn(page, DEMO.trainer.login);
  await page.goto('/trainer/banks');
  await ready(page, info);
  await page.locator('input[name=name]').fill(`Shared ${info.project.name} ${Date.now() % 100000}`);
  await page.locator('select[name=course_id]').selectOption({ label: 'Shared (all trainers)' });
  await page.getByRole('button', { name: 'Create bank' }).click();
  await expect(page).toHaveURL(/\/trainer\/banks\/\d+$/);
  await ready(page, info);
  await page.reload();
  await ready(page, info);
  await expect(page.locator('section.owners')).toContainText('Editors');
  await expect(page.locator('section.owners')).toContainText(DEMO.trainer.name);
});

test('a form refused before the page hydrated comes back as its page, at its address, and hydrates', async ({ page }, info) => {
  test.skip(info.project.name === 'nojs', 'about hydration');
  // Hold the WebAssembly back so the sign-in form posts as plain HTML, as on a slow phone.
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  await page.route('**/*.wasm', async (route) => { await gate; await route.continue(); });
  await page.goto('/login');
  await page.locator('input[name=login]').fill('trainer2@demo.floorready');
  await page.locator('input[name=password]').fill('not-the-password');
  await page.locator('form[action*="/api/login"] button[type=submit]').click();
  await expect(page.locator('.alert.error')).toBeVisible();
  release();
  await ready(page, info);
  // The router saw the login page's own address (not the server function's), so the page it
  // hydrated is the one the server rendered; a mismatch would panic (the fixture fails on it).
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator('.alert.error')).toBeVisible();
  await expect(page.locator('input[name=password]')).toBeVisible();
});
