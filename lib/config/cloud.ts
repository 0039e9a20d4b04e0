/**
 * `options.cloud` for Grafana Cloud k6 (`k6 cloud run`, `k6 cloud run --local-execution`), built from
 * config or environment and validated before k6 uploads anything:
 *
 * - `K6_CLOUD_PROJECT_ID` → `projectID` (a positive integer; k6 also reads this variable itself);
 * - `K6_CLOUD_NAME` → `name` (the test's name in the cloud app; k6 reads it too);
 * - `K6_CLOUD_DISTRIBUTION` → `distribution`, written `amazon:us:ashburn=50,amazon:ie:dublin=50`:
 *   load zones (`provider:country:city`) with whole percentages that add up to 100.
 *
 * Never a token: `options.cloud` ends up in the archive's metadata, and so does every `-e` variable
 * (docs/facts/k6.md#archive). The token comes from `k6 cloud login` or the `K6_CLOUD_TOKEN` process
 * variable, which k6 reads without putting it in the archive (docs/cloud.md).
 *
 * Pure and k6-safe: scenarios call it in the init context with `__ENV`.
 */

export interface LoadZoneShare {
  loadZone: string;
  percent: number;
}

export interface CloudOptions {
  name?: string;
  projectID?: number;
  /** Label → zone and share; the label is the zone with non-alphanumerics as `_` (e.g. `amazon_us_ashburn`). */
  distribution?: Record<string, LoadZoneShare>;
}

/** Cloud settings from a config file (same meaning as the env variables). */
export interface CloudConfig {
  projectID?: number | string;
  name?: string;
  distribution?: string | Record<string, number>;
}

export const CLOUD_ENV = ['K6_CLOUD_PROJECT_ID', 'K6_CLOUD_NAME', 'K6_CLOUD_DISTRIBUTION'] as const;

/** `provider:country:city`, lower case, e.g. `amazon:us:ashburn` (`k6 cloud load-zone list` prints them). */
const LOAD_ZONE = /^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Thrown with every problem at once, each naming its variable and the expected form. */
export class CloudConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid k6 Cloud settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CloudConfigError';
    this.problems = problems;
  }
}

export function zoneLabel(zone: string): string {
  return zone.replace(/[^a-z0-9]+/g, '_');
}

/** Parses `zone=percent,zone=percent` (or an object zone → percent) into a validated distribution. */
export function parseDistribution(
  value: string | Record<string, number>,
  field: string,
  problems: string[],
): Record<string, LoadZoneShare> | undefined {
  const pairs: Array<[string, unknown]> = [];
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') {
      problems.push(
        `${field}: expected load zones with percentages such as "amazon:us:ashburn=50,amazon:ie:dublin=50", got ""`,
      );
      return undefined;
    }
    for (const item of text.split(',')) {
      const eqAt = item.lastIndexOf('=');
      if (eqAt < 0) {
        problems.push(
          `${field}: expected "zone=percent" in ${JSON.stringify(item.trim())} (e.g. amazon:us:ashburn=50)`,
        );
        continue;
      }
      pairs.push([item.slice(0, eqAt).trim(), item.slice(eqAt + 1).trim()]);
    }
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) pairs.push([k.trim(), v]);
  } else {
    problems.push(`${field}: expected a string "zone=percent,..." or an object zone → percent`);
    return undefined;
  }
  const out: Record<string, LoadZoneShare> = {};
  let total = 0;
  let ok = pairs.length > 0;
  for (const [zone, raw] of pairs) {
    if (!LOAD_ZONE.test(zone)) {
      problems.push(
        `${field}: load zone ${JSON.stringify(zone)} is not of the form provider:country:city (e.g. amazon:us:ashburn)`,
      );
      ok = false;
      continue;
    }
    const percent = typeof raw === 'number' ? raw : /^\d+$/.test(String(raw)) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
      problems.push(`${field}: percent of ${zone} must be a whole number 1..100, got ${JSON.stringify(raw)}`);
      ok = false;
      continue;
    }
    const label = zoneLabel(zone);
    if (out[label] !== undefined) {
      problems.push(`${field}: load zone ${zone} is listed twice`);
      ok = false;
      continue;
    }
    out[label] = { loadZone: zone, percent };
    total += percent;
  }
  if (ok && total !== 100) {
    problems.push(`${field}: percentages must add up to 100, they add up to ${total}`);
    ok = false;
  }
  return ok ? out : undefined;
}

/**
 * Builds `options.cloud` from config values (env names in messages use `fieldNames`). Returns
 * undefined when nothing is set and there is no fallback name. Throws CloudConfigError.
 */
export function buildCloudOptions(
  config: CloudConfig,
  fallbackName?: string,
  fieldNames: { projectID: string; name: string; distribution: string } = {
    projectID: 'projectID',
    name: 'name',
    distribution: 'distribution',
  },
): CloudOptions | undefined {
  const problems: string[] = [];
  const out: CloudOptions = {};
  const name = config.name ?? fallbackName;
  if (name !== undefined) {
    const trimmed = name.trim();
    if (trimmed === '' || CONTROL.test(trimmed)) {
      problems.push(
        `${fieldNames.name}: expected a non-empty test name without control characters, got ${JSON.stringify(name)}`,
      );
    } else {
      out.name = trimmed;
    }
  }
  if (config.projectID !== undefined) {
    const raw = config.projectID;
    const id = typeof raw === 'number' ? raw : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!Number.isSafeInteger(id) || id < 1) {
      problems.push(
        `${fieldNames.projectID}: expected a positive integer project id (k6 cloud project list), got ${JSON.stringify(raw)}`,
      );
    } else {
      out.projectID = id;
    }
  }
  if (config.distribution !== undefined) {
    const d = parseDistribution(config.distribution, fieldNames.distribution, problems);
    if (d) out.distribution = d;
  }
  if (problems.length > 0) throw new CloudConfigError(problems);
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `options.cloud` from `__ENV` (K6_CLOUD_PROJECT_ID, K6_CLOUD_NAME, K6_CLOUD_DISTRIBUTION); blank values count as unset. */
export function cloudOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  fallbackName?: string,
): CloudOptions | undefined {
  const get = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const config: CloudConfig = {};
  const projectID = get('K6_CLOUD_PROJECT_ID');
  const name = get('K6_CLOUD_NAME');
  const distribution = get('K6_CLOUD_DISTRIBUTION');
  if (projectID !== undefined) config.projectID = projectID;
  if (name !== undefined) config.name = name;
  if (distribution !== undefined) config.distribution = distribution;
  return buildCloudOptions(config, fallbackName, {
    projectID: 'K6_CLOUD_PROJECT_ID',
    name: 'K6_CLOUD_NAME',
    distribution: 'K6_CLOUD_DISTRIBUTION',
  });
}
