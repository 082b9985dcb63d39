import { chromium } from 'playwright-core';
const base = process.env.BASE || 'http://127.0.0.1:3200';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
for (const [who, login] of [['m1001', 'manager@demo.floorready'], ['m2001', 'manager.bj@demo.floorready']]) {
  for (const [dev, vp] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
    const ctx = await browser.newContext({ viewport: vp });
    const page = await ctx.newPage();
    await page.goto(base + '/login');
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'floorready-demo');
    await page.click('form[action*="/api/login"] button[type=submit]');
    await page.waitForLoadState('networkidle');
    await page.goto(base + '/notifications');
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `/tmp/shots/${who}-${dev}.png`, fullPage: true });
    await ctx.close();
  }
}
await browser.close();
