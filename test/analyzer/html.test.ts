/**
 * The HTML report renders offline in a real browser: headless Debian Chromium through
 * playwright-core. Asserts the four charts drew (canvas present, coloured series pixels), no
 * script error, no network request, and saves a screenshot under results/analyzer/ (gitignored).
 * Skipped, with the reason, when /usr/bin/chromium is absent (apt-get install -y chromium).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../analyzer/index.ts';
import { renderHtml } from '../../analyzer/report/html.ts';
import { writeSyntheticRun } from '../support/traces/k6-output.ts';
import { tempDir } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`[analyzer html test] skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

const tmp = tempDir('analyzer-html-');
afterAll(() => tmp.cleanup());
const RESULTS = join(process.cwd(), 'results', 'analyzer');

describe('HTML report', () => {
  it('is self-contained: uPlot inlined, no external reference', async () => {
    const { files } = await writeSyntheticRun(
      { seed: 1, durationSec: 30, rate: 50, latency: () => 30, extraMetrics: false },
      tmp.dir,
      {
        format: 'json',
        stem: 'small',
      },
    );
    const html = renderHtml(await analyze(files));
    const uplot = readFileSync('node_modules/uplot/dist/uPlot.iife.min.js', 'utf8');
    expect(html).toContain(uplot);
    // Outside the inlined library (whose licence banner names its home page): no reference out.
    const own = html.replace(uplot, '');
    expect(own).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
  });

  it.skipIf(!hasChromium)(
    `renders in headless Chromium and the charts draw${hasChromium ? '' : ' (skipped: no /usr/bin/chromium)'}`,
    async () => {
      const { files } = await writeSyntheticRun(
        {
          seed: 2,
          durationSec: 120,
          runners: 2,
          rate: 80,
          latency: (t, r) => 40 + 0.2 * t + 20 * r(),
          stalls: [[60, 64]],
          vusPerRunner: 40,
          rejectShare: 0.01,
        },
        tmp.dir,
        { format: 'json', stem: 'chart' },
      );
      const report = await analyze(files);
      mkdirSync(RESULTS, { recursive: true });
      const page = join(RESULTS, 'report.html');
      writeFileSync(page, renderHtml(report));

      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const p = await ctx.newPage();
        const errors: string[] = [];
        const external: string[] = [];
        p.on('pageerror', (e) => errors.push(e.message));
        p.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        await p.route('**/*', (route) => {
          const url = route.request().url();
          if (url.startsWith('file:')) return route.continue();
          external.push(url);
          return route.abort();
        });
        await p.goto(`file://${page}`);
        await p.waitForSelector('body[data-charts="drawn"]', { timeout: 20_000 });
        // In-page code as a string: the Node tsconfig has no DOM types.
        const charts =
          (await p.evaluate(`['chart-tps', 'chart-latency', 'chart-starvation', 'chart-outcomes'].map((id) => {
          const c = document.querySelector('#' + id + ' canvas');
          if (c === null) return { id, canvas: false, painted: 0, coloured: 0 };
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let painted = 0;
          let coloured = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] > 0) painted++;
            const mx = Math.max(d[i], d[i + 1], d[i + 2]);
            const mn = Math.min(d[i], d[i + 1], d[i + 2]);
            if (d[i + 3] > 128 && mx - mn > 60) coloured++;
          }
          return { id, canvas: true, painted, coloured };
        })`)) as { id: string; canvas: boolean; painted: number; coloured: number }[];
        await p.screenshot({ path: join(RESULTS, 'report.png'), fullPage: true });
        expect(errors).toEqual([]);
        expect(external).toEqual([]);
        for (const c of charts) {
          expect(c.canvas, c.id).toBe(true);
          expect(c.painted, `${c.id} painted pixels`).toBeGreaterThan(1000);
          expect(c.coloured, `${c.id} coloured (series) pixels`).toBeGreaterThan(200);
        }
        expect(await p.textContent('#status')).toBe(report.verdict.status);
      } finally {
        await browser.close();
      }
      expect(existsSync(join(RESULTS, 'report.png'))).toBe(true);
    },
    120_000,
  );
});
