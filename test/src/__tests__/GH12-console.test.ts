import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, outputDir, watchForeignRequests } from '../browser';
import { startTestPlatform, TestPlatform } from '../harness';

// Issue 12: the console served by the gateway, in a real (Debian) Chromium, against a whole platform,
// and the six-month report as HTML and Word.
let platform: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let foreign: string[];
const out = outputDir('GH12-console');

beforeAll(async () => {
  platform = await startTestPlatform();
  browser = await launchChromium();
  context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1440, height: 1000 },
    locale: 'vi-VN',
  });
  page = await context.newPage();
  foreign = watchForeignRequests(page, platform.baseUrl);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
}

/** Picks a unit in a page's picker by typing its name without accents. */
async function pickUnit(testId: string, typed: string, code: string): Promise<void> {
  const picker = page.getByTestId(testId);
  await picker.locator('input').fill(typed);
  await picker.locator(`button[data-code="${code}"]`).click();
}

function cell(unit: string, indicator: string, field: string) {
  return page.locator(
    `[data-testid="figures-table"] tr[data-unit="${unit}"][data-indicator="${indicator}"][data-period="2025S1"] td[data-field="${field}"]`,
  );
}

async function reportText(lang: 'vi' | 'en'): Promise<string> {
  await page.locator('select[name="lang"]').selectOption(lang);
  await page.getByTestId('report').locator('button[type="submit"]').click();
  const article = page.locator(`[data-testid="report-text"][lang="${lang}"]`);
  await article.waitFor();
  return (await article.textContent()) ?? '';
}

describe('the console', () => {
  it('is served at / from the platform alone, and signs in with a token showing role and units', async () => {
    const res = await page.goto(`${platform.baseUrl}/`, { waitUntil: 'networkidle' });
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByTestId('sign-in').waitFor();
    // Development offers this machine's admin token; the test signs in as a viewer of Ngô Quyền instead.
    await page.getByTestId('use-dev-token').waitFor();
    await shot('1-sign-in');
    await page.locator('textarea[name="token"]').fill(await platform.token('viewer', ['304'], { sub: 'hong.nguyen' }));
    await page.getByTestId('sign-in').locator('button[type="submit"]').click();
    const identity = page.getByTestId('identity');
    await identity.waitFor();
    expect(await identity.textContent()).toMatch(/hong\.nguyen.*viewer.*304/);
  });

  it("draws the dashboard of Ngô Quyền (304) for 2025S1: the seed report's numbers, the chart and the ranking", async () => {
    await page.getByTestId('nav-dashboard').click();
    await pickUnit('dashboard-unit', 'ngo quyen', '304');
    await page.getByTestId('dashboard').locator('button[type="submit"]').click();
    await page.getByTestId('figures-table').waitFor();
    expect(await cell('304', 'PB_NEW_MEMBERS', 'value').textContent()).toBe('254');
    expect(await cell('304', 'PB_NEW_MEMBERS', 'target').textContent()).toBe('271');
    expect(await cell('304', 'PB_NEW_MEMBERS', 'achievementPct').textContent()).toBe('93,7%');
    expect(await cell('304', 'EB_BUDGET_REV', 'achievementPct').textContent()).toBe('54%');
    expect(await cell('304', 'EB_BUDGET_REV', 'samePeriodPct').textContent()).toBe('197,9%');
    expect(await cell('304', 'EB_NONSTATE_TAX', 'samePeriodPct').textContent()).toBe('114,3%');
    // The eight wards of the district on 2025-06-30 are rows too, and ranked by achievement.
    expect(await page.locator('[data-testid="figures-table"] tr[data-indicator="PB_NEW_MEMBERS"]').count()).toBe(9);
    expect(await page.locator('[data-testid="ranking"] li').count()).toBe(8);
    expect(await page.locator('[data-testid="series-chart"] svg path').count()).toBeGreaterThan(3);
    expect(await page.locator('[data-testid="ranking-chart"] svg').count()).toBe(1);
    await shot('2-dashboard-vi');

    const download = page.waitForEvent('download');
    await page.getByTestId('download-csv').click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toContain('Đơn vị');
    expect(csv).toMatch(/Quận Ngô Quyền,304,Kết nạp đảng viên mới,2025S1,254,271,93\.7,/);
  });

  it('speaks English, with English number formats', async () => {
    await page.getByTestId('language').selectOption('en');
    await page.getByTestId('dashboard').locator('button[type="submit"]').click();
    await page.locator('[data-testid="figures-table"] th', { hasText: 'Achievement' }).waitFor();
    expect(await cell('304', 'PB_NEW_MEMBERS', 'achievementPct').textContent()).toBe('93.7%');
    expect(await cell('304', 'EB_BUDGET_REV', 'samePeriodPct').textContent()).toBe('197.9%');
    await shot('3-dashboard-en');
    await page.getByTestId('language').selectOption('vi');
  });

  it('shows which units have not reported', async () => {
    await page.getByTestId('nav-status').click();
    await pickUnit('status-unit', 'ngo quyen', '304');
    await page.getByTestId('status').locator('button[type="submit"]').click();
    const summary = page.getByTestId('status-summary');
    await summary.waitFor();
    // The demo data has every ward's new members for 2025S1 (the reporting status says 8 of 8).
    expect(await summary.textContent()).toMatch(/: 0 \/ 8$/);
    expect(await page.getByTestId('status-rate').textContent()).toMatch(/100/);
    // Inspections: the wards that reported nothing or part of the half-year are listed, one row each.
    await page.getByTestId('status').locator('select[name="indicator"]').selectOption('PB_INSPECTIONS');
    await page.getByTestId('status').locator('button[type="submit"]').click();
    await page.getByTestId('status-table').waitFor();
    const notReported = Number(/: (\d+) \/ 8$/.exec((await summary.textContent()) ?? '')?.[1]);
    expect(notReported).toBeGreaterThan(0);
    expect(await page.getByTestId('status-table').locator('tbody tr').count()).toBe(notReported);
    await shot('4-reporting-status');
  });

  it('writes the six-month report in Vietnamese and English, and gives it as a Word document', async () => {
    await page.getByTestId('nav-report').click();
    await pickUnit('report-unit', 'Ngo Quyen', '304');
    const vi = await reportText('vi');
    for (const want of ['254/271', '93,7%', '197,9%', '16/16', '05 chỉ tiêu hoàn thành vượt mức'])
      expect(vi).toContain(want);
    await shot('5-report-vi');
    const en = await reportText('en');
    for (const want of ['254/271', '93.7%', '197.9%', '16/16', "equal to 93.7% of the year's target"])
      expect(en).toContain(want);
    await shot('6-report-en');

    const download = page.waitForEvent('download');
    await page.getByTestId('download-docx').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('bao-cao-304-2025S1-en.docx');
    const zip = await JSZip.loadAsync(readFileSync((await file.path())!));
    const text = (await zip.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
    expect(text).toContain('254/271');
    expect(text).toContain('93.7%');
  });

  it('opens GraphiQL from the platform and runs a query with the signed-in token', async () => {
    await page.getByTestId('nav-explorer').click();
    await page.locator('.graphiql-container').waitFor();
    try {
      // The editors are ready once the default query is shown; a click before that runs nothing.
      await page.locator('.graphiql-query-editor .CodeMirror-code', { hasText: 'aggregate' }).waitFor();
      const answer = page.locator('.graphiql-response', { hasText: '254' });
      for (let attempt = 0; attempt < 3 && !(await answer.isVisible()); attempt++) {
        await page.locator('.graphiql-execute-button').click();
        await answer.waitFor({ timeout: 20_000 }).catch(() => undefined);
      }
      await answer.waitFor({ timeout: 1_000 });
    } finally {
      await shot('7-explorer');
    }
  });

  it('sent no request anywhere but the platform', () => {
    expect(foreign).toEqual([]);
  });
});

describe('GET /reports/{unit}/{period}', () => {
  const get = async (path: string, token?: string) =>
    fetch(`${platform.baseUrl}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('gives the printable report in both languages', async () => {
    const vi = await get('/reports/304/2025S1?lang=vi', platform.adminToken);
    expect(vi.status).toBe(200);
    expect(vi.headers.get('content-type')).toMatch(/text\/html/);
    const html = await vi.text();
    for (const want of ['254/271', '93,7%', '197,9%', '16/16', 'Đảng bộ quận Ngô Quyền']) expect(html).toContain(want);
    const en = await (await get('/reports/304/2025S1?lang=en', platform.adminToken)).text();
    for (const want of ['254/271', '93.7%', '197.9%', '16/16']) expect(en).toContain(want);
  });

  it('gives the same text as the GraphQL field', async () => {
    const res = await platform.gql<{ report: { text: string; sections: { paragraphs: { text: string }[] }[] } }>(
      '{ report(unit: "304", period: "2025S1", lang: VI) { text sections { paragraphs { text } } } }',
    );
    expect(res.errors).toBeUndefined();
    const html = await (await get('/reports/304/2025S1?lang=vi', platform.adminToken)).text();
    for (const p of res.data!.report.sections.flatMap((s) => s.paragraphs))
      expect(html).toContain(p.text.replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  });

  it("keeps to the caller's scope and names bad arguments", async () => {
    expect((await get('/reports/304/2025S1?lang=vi', await platform.token('viewer', ['305']))).status).toBe(403);
    expect((await get('/reports/304/2025S1?lang=vi')).status).toBe(401);
    const badLang = await get('/reports/304/2025S1?lang=fr', platform.adminToken);
    expect(badLang.status).toBe(400);
    expect(((await badLang.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/"lang"/);
    const badPeriod = await get('/reports/304/2025H1', platform.adminToken);
    expect(badPeriod.status).toBe(400);
    expect((await get('/reports/304/2025S1?lang=vi&format=docx', await platform.token('viewer', ['304']))).status).toBe(
      200,
    );
  });
});
