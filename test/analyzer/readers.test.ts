import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { splitCsv } from '../../analyzer/read/csv.ts';
import { readInput } from '../../analyzer/read/input.ts';
import { InputError } from '../../analyzer/read/lines.ts';
import { type FastPoint, fastPoint } from '../../analyzer/read/ndjson.ts';
import type { SampleSink, Tags } from '../../analyzer/read/sample.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('analyzer-readers-');
afterAll(() => tmp.cleanup());

interface Got {
  metric: string;
  t: number;
  v: number;
  tags: Tags | undefined;
}

function collector(): SampleSink & { got: Got[]; declared: string[] } {
  const got: Got[] = [];
  const declared: string[] = [];
  return {
    got,
    declared,
    point(metric, t, v, tags) {
      got.push({ metric, t, v, tags });
    },
    declare(metric) {
      declared.push(metric);
    },
  };
}

const T = '2026-11-28T18:36:36.521650219Z';
const TMS = Date.UTC(2026, 10, 28, 18, 36, 36) + 521.650219;

describe('NDJSON reader', () => {
  it('reads Metric and Point lines in both key orders and counts malformed lines with their line numbers', async () => {
    const lines = [
      '{"type":"Metric","data":{"name":"iterations","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"iterations"}',
      `{"metric":"iterations","type":"Point","data":{"time":"${T}","value":1,"tags":{"instance_id":"2","scenario":"a"},"metadata":{"transferId":"x"}}}`,
      `{"type":"Point","data":{"time":"${T}","value":2.5,"tags":{"status":"200"}},"metric":"http_req_duration"}`,
      'not json at all',
      `{"metric":"iterations","type":"Point","data":{"time":"yesterday","value":1,"tags":{}}}`,
      `{"metric":"iterations","type":"Point","data":{"time":"${T}","value":"one","tags":{}}}`,
      '{"type":"Summary","data":{}}',
      '',
      `{"metric":"iterations","type":"Point","data":{"time":"${T}","value":1,"tags":{"instance_id":"2"`,
    ];
    const f = join(tmp.dir, 'mixed.json');
    writeFileSync(f, lines.join('\n'));
    const c = collector();
    const rep = await readInput(f, c);
    expect(rep.format).toBe('json');
    expect(c.declared).toEqual(['iterations']);
    expect(c.got.map((g) => [g.metric, g.v])).toEqual([
      ['iterations', 1],
      ['http_req_duration', 2.5],
    ]);
    expect(c.got[0]!.t).toBeCloseTo(TMS, 6);
    expect(c.got[0]!.tags).toEqual({ instance_id: '2', scenario: 'a' });
    expect(rep.malformed).toBe(5);
    expect(rep.examples.map((e) => e.line)).toEqual([4, 5, 6, 7, 9]);
    expect(rep.examples[0]!.reason).toMatch(/not valid JSON/);
    expect(rep.examples[1]!.reason).toMatch(/"time" is not an RFC3339/);
    expect(rep.examples[2]!.reason).toMatch(/"value" is not a finite number/);
    expect(rep.examples[3]!.reason).toMatch(/unknown line type "Summary"/);
  });

  it('the fast path gives exactly what JSON.parse gives, or declines', () => {
    const str = fc.string({
      maxLength: 12,
      unit: fc.constantFrom('a', 'Z', '_', '1', '"', '\\', '&', '<', 'é', '\n', ' ', ':', ',', '{', '}'),
    });
    let taken = 0;
    fc.assert(
      fc.property(
        str,
        fc.dictionary(str, str, { maxKeys: 6 }),
        fc.option(fc.dictionary(str, str, { maxKeys: 3 }), { nil: undefined }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (metric, tags, metadata, value) => {
          const data: Record<string, unknown> = { time: T, value, tags };
          if (metadata !== undefined) data['metadata'] = metadata;
          const line = JSON.stringify({ metric, type: 'Point', data });
          const fp: FastPoint = { metric: '', time: '', value: 0, tags: undefined };
          if (!fastPoint(line, fp)) return true;
          taken++;
          const ref = JSON.parse(line);
          return (
            fp.metric === ref.metric &&
            fp.time === ref.data.time &&
            Object.is(fp.value, ref.data.value) &&
            JSON.stringify(fp.tags) === JSON.stringify(ref.data.tags)
          );
        },
      ),
      // A fixed seed: `taken` depends on what was generated, and a count that varies run to run flakes.
      { numRuns: 2000, seed: 20261204 },
    );
    expect(taken).toBeGreaterThan(50); // the property was exercised on lines the fast path takes
    // and it does take the common k6 line, and refuses a cut-off one
    const fp: FastPoint = { metric: '', time: '', value: 0, tags: undefined };
    const ok = `{"metric":"vus","type":"Point","data":{"time":"${T}","value":3,"tags":{"instance_id":"1"}}}`;
    expect(fastPoint(ok, fp)).toBe(true);
    expect(fp.tags).toEqual({ instance_id: '1' });
    expect(fastPoint(ok.slice(0, -1), fp)).toBe(false);
    expect(fastPoint(`${ok}x`, fp)).toBe(false);
  });
});

describe('CSV reader', () => {
  it('splits quoted fields like encoding/csv writes them', () => {
    expect(splitCsv('a,"b,c",d')).toEqual(['a', 'b,c', 'd']);
    expect(splitCsv('"x ""q"" y",,z')).toEqual(['x "q" y', '', 'z']);
    expect(splitCsv('a,"unclosed')).toBeUndefined();
    expect(splitCsv('')).toEqual(['']);
  });

  it('reads rows, system tags and extra_tags, and counts bad rows', async () => {
    const header =
      'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata';
    const rows = [
      header,
      'http_reqs,1795890996,1.000000,,,,true,,GET,"http://h/x?a=1,2",HTTP/1.1,s1,,200,,,"http://h/x?a=1,2",instance_id=3&testrun_name=tr,transferId=9',
      'ml_transfers_rejected,1795890996521,1.000000,,,,,,,,,s1,,,,,,error_code=3100&stage=async&instance_id=3,',
      'iterations,notatime,1.000000,,,,,,,,,s1,,,,,,,',
      'iterations,1795890996,abc,,,,,,,,,s1,,,,,,,',
      'iterations,1795890997,"unbalanced,,,,,,,,,,,,,,,,',
    ];
    const f = join(tmp.dir, 'out.csv.gz');
    writeFileSync(f, gzipSync(`${rows.join('\r\n')}\r\n`));
    const c = collector();
    const rep = await readInput(f, c);
    expect(rep).toMatchObject({ format: 'csv', gzip: true, points: 2, malformed: 3 });
    expect(rep.examples.map((e) => e.line)).toEqual([4, 5, 6]);
    expect(c.got[0]).toMatchObject({ metric: 'http_reqs', t: 1795890996000, v: 1 });
    expect(c.got[0]!.tags).toMatchObject({
      status: '200',
      name: 'http://h/x?a=1,2',
      instance_id: '3',
      testrun_name: 'tr',
    });
    expect(c.got[1]!.tags).toMatchObject({ error_code: '3100', stage: 'async', instance_id: '3' });
    expect(c.got[1]!.t).toBe(1795890996521);
  });

  it('without a header every row is malformed, with a reason', async () => {
    const f = join(tmp.dir, 'noheader.csv');
    writeFileSync(f, 'iterations,1795890996,1.000000\niterations,1795890996,1.000000\n');
    const rep = await readInput(f, collector());
    expect(rep.points).toBe(0);
    expect(rep.malformed).toBe(2);
    expect(rep.examples[0]!.reason).toMatch(/header must start with metric_name/);
  });
});

describe('inputs', () => {
  it('sniffs the format from the content, not the name', async () => {
    const f = join(tmp.dir, 'actually-csv.json');
    writeFileSync(
      f,
      'metric_name,timestamp,metric_value,extra_tags,metadata\niterations,1795890996,1.000000,instance_id=1,\n',
    );
    const c = collector();
    const rep = await readInput(f, c);
    expect(rep.format).toBe('csv');
    expect(c.got).toHaveLength(1);
  });

  it('keeps the lines before the cut of a truncated gzip file and says so', async () => {
    const body = Array.from(
      { length: 4000 },
      (_, i) => `{"metric":"iterations","type":"Point","data":{"time":"${T}","value":1,"tags":{"n":"${i}"}}}`,
    ).join('\n');
    const gz = gzipSync(body, { level: 1 });
    const f = join(tmp.dir, 'cut.json.gz');
    writeFileSync(f, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const c = collector();
    const rep = await readInput(f, c);
    expect(rep.truncated).toMatch(/gzip data ends early/);
    expect(c.got.length).toBeGreaterThan(100);
    expect(c.got.length).toBeLessThan(4000);
    expect(rep.malformed).toBeLessThanOrEqual(1); // at most the cut line
  });

  it('names the file when it cannot be read', async () => {
    const missing = join(tmp.dir, 'nope.json');
    await expect(readInput(missing, collector())).rejects.toThrow(InputError);
    await expect(readInput(missing, collector())).rejects.toThrow(/nope\.json: cannot read/);
  });
});
