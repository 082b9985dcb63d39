import { DEMO, expect, ready, signIn, signOut, test } from './helpers';

// Two demo trainees who are one lesson from the floor: one per project, so the JavaScript and
// plain-HTML runs each take someone the whole way.
const PEOPLE = {
  js: { login: 'E1009', name: '林晨 Lin Chen' },
  nojs: { login: 'E1010', name: '郑阳 Zheng Yang' },
};
// Names show in the reader's language: E1009 reads English, E1010 Chinese.
const COURSE = /After-sales customer service onboarding|售后客服岗前培训/;
const JUNIOR = /After-sales specialist, junior|售后服务专员·初级/;
const JUNIOR_EN = 'After-sales specialist, junior';

test('a trainee completes the path and is cleared; the certificate verifies; a revocation changes the roster and the API at once', async ({ page }, info) => {
  const who = PEOPLE[info.project.name as 'js' | 'nojs'];
  const stamp = `${info.project.name}-${Date.now() % 100000}`;

  // The home page shows the path: everything met but the course.
  await signIn(page, who.login);
  const path = page.locator('section.path');
  await expect(path).toBeVisible();
  const junior = path.locator('section.program').filter({ has: page.locator('h3', { hasText: JUNIOR }) });
  await expect(junior.locator('li.check.missing')).toHaveCount(1);
  await expect(junior.locator('li.check.missing')).toContainText(COURSE);
  await expect(junior.locator('li.check.met')).toHaveCount(2);

  // The last lesson.
  await page.locator('li.course', { hasText: COURSE }).locator('a.button.primary').click();
  await expect(page.locator('article.lesson h1')).toBeVisible();
  await ready(page, info);
  await page.locator('form:has(input[name=lesson_id]) button.primary').click();
  await expect(page).toHaveURL(/\/learn\/\d+\?finished=1$/);

  // Cleared: the path says so, and links the certificate.
  await page.goto('/');
  await ready(page, info);
  await expect(path.locator('.alert.ok')).toContainText(JUNIOR);
  await expect(junior.locator('li.check.missing')).toHaveCount(0);
  await junior.locator('a[href^="/certificates/"]').click();
  await expect(page).toHaveURL(/\/certificates\/FR-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  const certificate = page.locator('article.certificate');
  await expect(certificate.locator('.holder')).toHaveText(who.name);
  await expect(certificate).toContainText('上岗合格证书');
  await expect(certificate).toContainText('Certificate of Qualification');
  await expect(certificate.locator('figure.qr svg')).toBeVisible();
  const verifyPath = (await certificate.locator('figure.qr a').getAttribute('href'))!;
  const number = verifyPath.split('/').pop()!;
  await signOut(page);

  // The QR code's page needs no sign-in and shows only what verifies the certificate.
  await page.goto(verifyPath);
  await expect(page.locator('.verify .verdict')).toHaveText('This certificate is valid.');
  await expect(page.locator('.verify')).toContainText(who.name);
  await expect(page.locator('.verify')).toContainText(number);
  await expect(page.locator('.verify')).not.toContainText(who.login);

  // An admin makes an API token for the rostering system; it sees the clearance.
  await signIn(page, DEMO.admin.login);
  await page.goto('/admin/tokens');
  await ready(page, info);
  await page.locator('form:has(select[name=team_id]) input[name=name]').fill(`Rostering ${stamp}`);
  await page.locator('form:has(select[name=team_id]) button[type=submit]').click();
  const token = (await page.locator('pre.token').textContent())!.trim();
  expect(token).toMatch(/^frt_/);
  await page.reload();
  await expect(page.locator('pre.token')).toHaveCount(0);
  const clearance = async () => {
    const res = await page.request.get(`/api/v1/clearance/${who.login}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status()).toBe(200);
    return res.json();
  };
  let json = await clearance();
  expect(json.programs.find((p: any) => p.program.en === JUNIOR_EN).status).toBe('certified');
  expect(json.cleared_positions.length).toBe(1);
  await signOut(page);

  // The manager sees them cleared on the roster, then revokes with a reason.
  await signIn(page, DEMO.manager.login);
  await page.goto('/team/roster');
  await ready(page, info);
  // One line per person; each program under it.
  const person = page.locator('table.roster tbody tr', { hasText: who.login });
  await expect(person).toHaveCount(1);
  const row = person.locator('.roster-program').filter({ has: page.locator('.program-name', { hasText: JUNIOR }) });
  await expect(row).toContainText('Certified');
  await person.locator('a').first().click();
  await expect(page).toHaveURL(/\/people\/\d+\/certification$/);
  await ready(page, info);
  const decision = page.locator('form:has(select[name=decision])');
  await decision.locator('select[name=decision]').selectOption('revoke');
  await decision.locator('textarea[name=reason]').fill(`Complaint confirmed ${stamp}`);
  await decision.locator('button[type=submit]').click();
  await expect(page.locator('.alert.ok')).toContainText('decision is recorded');
  await expect(page.locator('section.program').filter({ has: page.locator('h3', { hasText: JUNIOR }) })).toContainText('Revoked');
  await expect(page.locator('table.history')).toContainText(`Complaint confirmed ${stamp}`);

  await page.goto('/team/roster');
  await expect(row).toContainText('Revoked');
  await expect(row).toContainText(`Complaint confirmed ${stamp}`);
  json = await clearance();
  expect(json.programs.find((p: any) => p.program.en === JUNIOR_EN).status).toBe('revoked');
  expect(json.cleared_positions.length).toBe(0);
  await page.goto(verifyPath);
  await expect(page.locator('.verify .verdict')).toContainText('not valid');
});
