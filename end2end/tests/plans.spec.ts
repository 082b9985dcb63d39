import ExcelJS from 'exceljs';
import { DEMO, expect, ready, signIn, test } from './helpers';

// Attendance is marked for a session that has started: yesterday's.
const YESTERDAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

test('an instructor marks attendance; the record form downloads as XLSX and the schedule as ICS', async ({ page }, info) => {
  const title = `December onboarding ${info.project.name} ${Date.now() % 100000}`;
  await signIn(page, DEMO.trainer.login);
  await expect(page.locator('h1')).toContainText(DEMO.trainer.name);
  await page.goto('/plans');
  await ready(page, info);
  await page.locator('input[name=title_en]').fill(title);
  await page.locator('input[name="methods[2]"]').check();
  await page.locator('input[name=venue]').fill('Shanghai training room 301');
  await page.locator('input[name=budget_planned]').fill('5000');
  await page.getByRole('button', { name: 'Create plan' }).click();
  await expect(page).toHaveURL(/\/plans\/\d+$/);
  await expect(page.locator('h1')).toHaveText(title);
  const planUrl = page.url();
  await ready(page, info);

  const session = page.locator('form:has(input[name=start_time])');
  await session.locator('input[name=topic]').fill('Complaint handling role-play');
  await session.locator('input[name=day]').fill(YESTERDAY);
  await session.locator('input[name=start_time]').fill('09:00');
  await session.locator('input[name=end_time]').fill('11:30');
  await session.locator('input[name=instructor]').fill('T1001');
  await session.getByRole('button', { name: 'Add session' }).click();
  await expect(page.locator('table.sessions tbody tr')).toHaveCount(1);

  await page.locator('textarea[name=employee_numbers]').fill('E1001, E1002');
  await page.getByRole('button', { name: 'Enroll', exact: true }).click();
  await expect(page.locator('table.members tbody tr')).toHaveCount(2);

  // The instructor's phone-sized sheet: one tap per trainee.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('table.sessions a', { hasText: 'Attendance' }).click();
  await expect(page.locator('h1')).toHaveText('Attendance');
  await ready(page, info);
  const liNa = page.locator('li.attendee', { hasText: 'E1001' });
  await liNa.getByRole('button', { name: 'Present' }).click();
  await expect(liNa.getByRole('button', { name: 'Present' })).toHaveAttribute('aria-pressed', 'true');
  const zhang = page.locator('li.attendee', { hasText: 'E1002' });
  await zhang.getByRole('button', { name: 'Absent' }).click();
  await expect(zhang.getByRole('button', { name: 'Absent' })).toHaveAttribute('aria-pressed', 'true');

  await page.goto(planUrl);
  await expect(page.locator('dd.rate')).toHaveText('50%');

  // Exports, fetched with the browser's own session.
  const xlsx = await page.request.get(`${planUrl}/record.xlsx`);
  expect(xlsx.status()).toBe(200);
  expect(xlsx.headers()['content-disposition']).toContain('.xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await xlsx.body());
  const sheet = book.getWorksheet('Training record')!;
  expect(sheet.getRow(1).getCell(8).value).toBe('Attendance');
  const rows = [2, 3].map((r) => sheet.getRow(r).values as unknown[]);
  expect(rows.map((r) => r[6]).sort()).toEqual(['E1001', 'E1002']);
  expect(rows.map((r) => r[8]).sort()).toEqual(['Absent', 'Present']);

  const ics = await page.request.get(`${planUrl}/schedule.ics`);
  expect(ics.status()).toBe(200);
  const text = (await ics.text()).replace(/\r\n[ \t]/g, '');
  expect(text).toContain('BEGIN:VCALENDAR');
  expect(text.match(/BEGIN:VEVENT/g)?.length).toBe(1);
  expect(text).toContain(`DTSTART;TZID=Asia/Shanghai:${YESTERDAY.replaceAll('-', '')}T090000`);
  expect(text).toContain(`DTEND;TZID=Asia/Shanghai:${YESTERDAY.replaceAll('-', '')}T113000`);
  expect(text).toContain(`SUMMARY:${title}: Complaint handling role-play`);

  // The printable record form: the plan, its session and a signature column per attendee.
  await page.goto(`${planUrl}/print`);
  const sheet2 = page.locator('article.print-sheet');
  await expect(sheet2.locator('h2')).toHaveText(title);
  await expect(sheet2.locator('h3')).toContainText(`${YESTERDAY} 09:00–11:30 Complaint handling role-play`);
  await expect(sheet2.locator('tbody tr')).toHaveCount(2);
  await expect(sheet2.locator('tbody tr', { hasText: 'E1002' })).toContainText('0%');

  // Someone outside the plan gets no export.
  await page.context().clearCookies();
  expect((await page.request.get(`${planUrl}/record.xlsx`)).status()).toBe(401);
});
