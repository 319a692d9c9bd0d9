// Opens a cityimpact report.html in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; no browser download) and
// prints one JSON object describing what it found. Run by
// report/browser_test.go:
//
//	node check-report.mjs REPORT.html [SCREENSHOT.png]
//
// It records every request, console error and page error, checks that
// every [data-chart] container drew content (SVG paths, or a canvas with
// non-blank pixels), clicks the language toggle, and counts the city
// diagnoses a printout shows in each printing mode (print media emulated).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, shot] = process.argv.slice(2);
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = mkdtempSync(join(tmpdir(), 'cityimpact-chromium-'));
const out = { requests: [], console: [], pageErrors: [], charts: [], toggle: null, print: null };
let ctx;
try {
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: exe, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1,
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('request', (r) => out.requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') out.console.push(m.text()); });
  page.on('pageerror', (e) => out.pageErrors.push(String(e && e.stack || e).slice(0, 600)));
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
  await page.waitForTimeout(300);
  const inspect = () => page.evaluate(() => Array.from(document.querySelectorAll('[data-chart]')).map((el) => {
    const r = { id: el.id, kind: el.getAttribute('data-chart'), paths: 0, inked: 0, text: '' };
    el.querySelectorAll('svg path').forEach((p) => { if ((p.getAttribute('d') || '').length > 2) r.paths++; });
    el.querySelectorAll('canvas').forEach((c) => {
      const g = c.getContext('2d'); if (!g || !c.width || !c.height) return;
      const d = g.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) r.inked++;
    });
    r.text = Array.from(el.querySelectorAll('svg text')).slice(0, 200).map((t) => t.textContent).join('|');
    const b = el.getBoundingClientRect(); r.width = b.width; r.height = b.height;
    return r;
  }));
  out.charts = await inspect();
  const btn = await page.$('#lang-toggle');
  if (btn) {
    const before = await page.evaluate(() => document.documentElement.getAttribute('data-lang'));
    const h2 = () => page.evaluate(() => document.querySelector('#findings h2').innerText);
    const headBefore = await h2();
    await btn.click();
    await page.waitForTimeout(200);
    const after = await page.evaluate(() => document.documentElement.getAttribute('data-lang'));
    const headAfter = await h2();
    const chartsAfter = await inspect();
    out.toggle = { before, after, headBefore, headAfter, charts: chartsAfter };
    await btn.click(); // back to the first language for the screenshot
    await page.waitForTimeout(200);
  }
  // Printing modes: rows of the diagnoses table a printout shows (with
  // print media emulated), in the mode the page opens in and after the
  // print toggle.
  const diag = () => page.evaluate(() => {
    const rows = Array.from(document.querySelectorAll('#diagnoses tbody tr'));
    const shown = rows.filter((r) => r.getClientRects().length > 0);
    return { brief: document.body.classList.contains('print-brief'), rows: rows.length, shown: shown.length,
      cases: shown.filter((r) => r.classList.contains('case')).length,
      minorShown: shown.filter((r) => r.classList.contains('minor')).length,
      note: Array.from(document.querySelectorAll('.print-note')).some((n) => n.getClientRects().length > 0) };
  });
  await page.emulateMedia({ media: 'print' });
  out.print = { first: await diag(), second: null };
  const pbtn = await page.$('#print-toggle');
  if (pbtn) {
    await page.emulateMedia({ media: 'screen' });
    await pbtn.click();
    await page.emulateMedia({ media: 'print' });
    out.print.second = await diag();
    await page.emulateMedia({ media: 'screen' });
    await pbtn.click();
  }
  await page.emulateMedia({ media: 'screen' });
  await page.mouse.move(0, 0); // no hover style left on a button in the screenshot
  // A narrower window, a collapsed one (1 px, as screenshot tools make for
  // a moment) and back must redraw without errors.
  await page.setViewportSize({ width: 820, height: 900 });
  await page.waitForTimeout(200);
  await page.setViewportSize({ width: 1, height: 1 });
  await page.waitForTimeout(200);
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.waitForTimeout(200);
  if (shot) {
    // The first screens (the page is long); SHOT_HEIGHT=0 takes it all.
    // SHOT_Y and SHOT_HEIGHT pick a band of the page (for looking at it
    // piece by piece). The window is made that tall rather than using
    // Playwright's fullPage capture.
    const y = Number(process.env.SHOT_Y ?? 0), h = Number(process.env.SHOT_HEIGHT ?? 2600);
    await page.setViewportSize({ width: 1200, height: h });
    await page.evaluate((y) => window.scrollTo(0, y), y);
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot });
  }
} catch (e) {
  out.fatal = String(e && e.stack || e);
} finally {
  if (ctx) await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out));
