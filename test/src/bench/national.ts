import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monthOf, parsePeriod, UnitCatalog, UnitVersion } from '@lgr/schema';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { type AggregateRequest, type AggregateRow, runAggregate } from '@lgr/analytics/dist/engine';
import { AnswerCache } from '@lgr/analytics/dist/aggregate/answer-cache';
import { AnalyticsStore, type FeedChange, queryRows, statement } from '@lgr/analytics/dist/store';
import { BenchSize } from './size';
import { random } from './synthetic';

/*
 * The national-scale benchmark: the real units of the whole country (both sides of the 2025 reform)
 * with synthetic monthly figures 2023-2026, and the five questions of the national-scale issue, each
 * timed cold (the engine computes it; no answer kept), warm (the answer cache's hit) and against a
 * hand-written DuckDB query over the same store file that computes the same simple sums. Times depend
 * on the machine; the ratio to the raw query measured in the same round is what compares.
 */

/** How many figures: S about 1.1 million, M about 2.5 million, L about 5 million. */

/** Commune indicators recorded monthly, by size: S's three give a FLOW, two STOCKs and their RATIO. */
const S_INDICATORS = ['PB_NEW_MEMBERS', 'SS_POOR_HH', 'SS_HOUSEHOLDS'];
const M_INDICATORS = [...S_INDICATORS, 'EB_BUDGET_REV', 'SS_JOBS_CREATED', 'PB_MEMBERS_TOTAL', 'DF_MIL_RECRUITS'];
const INDICATORS: Record<BenchSize, readonly string[]> = {
  S: S_INDICATORS,
  M: M_INDICATORS,
  L: [
    ...M_INDICATORS,
    'AR_TTHC_RECEIVED',
    'AR_TTHC_ONTIME',
    'DX_ONLINE_APPL',
    'PB_BADGES',
    'SS_POPULATION',
    'CS_EVENTS',
    'DF_FIRES',
  ],
};

const FIRST_MONTH = monthOf('2023-01-01');
const LAST_MONTH = monthOf('2026-12-01');
const REFORM_MONTH = monthOf('2025-07-01');

/** `YYYYMM` of a month index. */
function monthCode(month: number): string {
  return `${Math.floor(month / 12)}${String((month % 12) + 1).padStart(2, '0')}`;
}

/**
 * The figures of a size, in batches: for every commune of each era, a figure for every month it
 * existed in 2023-2026 and every indicator of the size; for every fifth district, quarterly own
 * figures of EB_BUDGET_REV (rule 1 over its communes); yearly PB_NEW_MEMBERS targets for every unit
 * of each year, and SS_POOR_RATE targets for the provinces.
 */
export function* nationalFacts(
  catalog: UnitCatalog,
  size: BenchSize,
  batch = 250_000,
  seed = 3,
): Generator<FeedChange[]> {
  const rnd = random(seed);
  let changes: FeedChange[] = [];
  let seq = 0;
  const push = (indicator: string, unitId: string, period: string, value: number | null, target: number | null) => {
    changes.push({ seq: ++seq, indicator, unitId, period, value, target });
  };
  const indicators = INDICATORS[size];
  const communes = catalog.units.filter((u) => u.level === 'COMMUNE');
  for (const u of communes) {
    const from = Math.max(FIRST_MONTH, monthOf(u.validFrom));
    const to = Math.min(LAST_MONTH, u.validTo ? monthOf(u.validTo) : LAST_MONTH);
    const households = 500 + Math.round(rnd() * 4000);
    for (let m = from; m <= to; m++) {
      for (const indicator of indicators) {
        const value =
          indicator === 'SS_HOUSEHOLDS'
            ? households + Math.round(rnd() * 20)
            : indicator === 'SS_POOR_HH'
              ? Math.round(households * 0.1 * rnd())
              : Math.round(rnd() * 100);
        push(indicator, u.id, monthCode(m), value, null);
      }
      if (changes.length >= batch) {
        yield changes;
        changes = [];
      }
    }
  }
  catalog.units
    .filter((u) => u.level === 'DISTRICT')
    .forEach((d, i) => {
      if (i % 5) return;
      for (let m = FIRST_MONTH; m < Math.min(REFORM_MONTH, monthOf(d.validTo ?? '2100-01-01')); m += 3)
        push('EB_BUDGET_REV', d.id, parsePeriodOfMonth(m, 'Q'), Math.round(rnd() * 5000), null);
    });
  for (const year of [2023, 2024, 2025, 2026]) {
    for (const u of catalog.units) {
      if (u.validFrom > `${year}-12-31` || (u.validTo !== null && u.validTo < `${year}-01-01`)) continue;
      push('PB_NEW_MEMBERS', u.id, String(year), null, Math.round(rnd() * 1000 + 100));
      if (u.level === 'PROVINCE') push('SS_POOR_RATE', u.id, String(year), null, Math.round(rnd() * 10 * 100) / 100);
    }
  }
  if (changes.length) yield changes;
}

/** The quarter code of a month starting a quarter. */
function parsePeriodOfMonth(month: number, kind: 'Q'): string {
  return `${Math.floor(month / 12)}${kind}${Math.floor((month % 12) / 3) + 1}`;
}

/**
 * One question in one round: the platform's request and the hand-written DuckDB query for it. The
 * request asks for the value only, as the raw query computes only the sum (the engine still computes
 * coverage and completeness, and checks every figure it reads); the bench also times the answer with
 * every number (the same period a year earlier, the year to date and the target).
 */
export interface Question {
  readonly request: AggregateRequest;
  readonly raw: { sql: string; params: (string | number)[] };
}

/** A question of the issue, in a variant per round (other units each round where the question allows). */
export interface QuestionKind {
  readonly name: string;
  readonly variant: (round: number) => Question;
}

const span = (code: string) => {
  const p = parsePeriod(code);
  return [p.startMonth, p.endMonth] as const;
};

/** The five questions of the national-scale issue over a catalogue of the real units, each in a variant per round. */
export function nationalQuestions(catalog: UnitCatalog): QuestionKind[] {
  const byCode = (a: UnitVersion, b: UnitVersion) => a.code.localeCompare(b.code);
  const oldCommunes = catalog.validOn('2024-12-31', 'COMMUNE').sort(byCode);
  const newProvinces = catalog.validOn('2026-12-31', 'PROVINCE').sort(byCode);
  const districts = catalog.validOn('2025-06-30', 'DISTRICT').sort(byCode);
  const pick = <T>(xs: readonly T[], round: number, step: number): T => xs[(round * step + 1) % xs.length]!;
  const [y2024From, y2024To] = span('2024');
  const [y2026From, y2026To] = span('2026');
  const [y2025From, y2025To] = span('2025');
  const [termFrom, termTo] = span('2025-2030');
  return [
    {
      name: 'one commune, one indicator, one year',
      variant: (round) => {
        const commune = pick(oldCommunes, round, 997);
        return {
          request: { indicators: ['PB_NEW_MEMBERS'], units: [commune.code], periods: ['2024'], measures: ['VALUE'] },
          raw: {
            sql: `SELECT sum(value) AS value FROM fact
              WHERE indicator = 'PB_NEW_MEMBERS' AND unit_id = $1 AND grain = 'MONTH' AND start_month BETWEEN $2 AND $3`,
            params: [commune.id, y2024From, y2024To],
          },
        };
      },
    },
    {
      name: 'a province by COMMUNE, 3 indicators, a year',
      variant: (round) => {
        const province = pick(newProvinces, round, 11);
        return {
          request: {
            indicators: ['PB_NEW_MEMBERS', 'SS_POOR_HH', 'SS_POOR_RATE'],
            units: [province.code],
            periods: ['2026'],
            level: 'COMMUNE',
            measures: ['VALUE'],
          },
          // FLOW: the months summed; STOCK: the last month's; RATIO: from the last month's two stocks.
          raw: {
            sql: `WITH f AS (
                SELECT f.unit_id, f.indicator, f.start_month, f.value
                FROM unit_closure c JOIN unit_version u ON u.id = c.descendant_id AND u.level = 'COMMUNE'
                JOIN fact f ON f.unit_id = c.descendant_id
                WHERE c.ancestor_id = $1 AND f.indicator IN ('PB_NEW_MEMBERS', 'SS_POOR_HH', 'SS_HOUSEHOLDS')
                  AND f.grain = 'MONTH' AND f.start_month BETWEEN $2 AND $3
              )
              SELECT unit_id, sum(value) FILTER (WHERE indicator = 'PB_NEW_MEMBERS') AS members,
                arg_max(value, start_month) FILTER (WHERE indicator = 'SS_POOR_HH') AS poor,
                100 * arg_max(value, start_month) FILTER (WHERE indicator = 'SS_POOR_HH')
                  / arg_max(value, start_month) FILTER (WHERE indicator = 'SS_HOUSEHOLDS') AS rate
              FROM f GROUP BY unit_id ORDER BY unit_id`,
            params: [province.id, y2026From, y2026To],
          },
        };
      },
    },
    {
      name: 'all 34 provinces, 2025 on 2025-07-01 boundaries (remap)',
      variant: () => ({
        request: {
          indicators: ['PB_NEW_MEMBERS'],
          units: newProvinces.map((p) => p.code),
          periods: ['2025'],
          boundariesAsOf: '2025-07-01',
          measures: ['VALUE'],
        },
        // The new communes' months, and the old communes' months before the reform times their
        // lineage shares, summed per new province.
        raw: {
          sql: `WITH province AS (
              SELECT c.descendant_id AS commune, c.ancestor_id AS province
              FROM unit_closure c JOIN unit_version a ON a.id = c.ancestor_id
              WHERE a.level = 'PROVINCE' AND a.valid_from >= DATE '2025-07-01' AND c.distance > 0
            ),
            parts AS (
              SELECT p.province, f.value
              FROM fact f JOIN province p ON p.commune = f.unit_id
              WHERE f.indicator = 'PB_NEW_MEMBERS' AND f.grain = 'MONTH' AND f.start_month BETWEEN $1 AND $2
              UNION ALL
              SELECT p.province, f.value * l.share
              FROM fact f JOIN unit_lineage l ON l.from_id = f.unit_id JOIN province p ON p.commune = l.to_id
              WHERE f.indicator = 'PB_NEW_MEMBERS' AND f.grain = 'MONTH' AND f.start_month BETWEEN $3 AND $1 - 1
            )
            SELECT province, sum(value) AS value FROM parts GROUP BY province ORDER BY province`,
          params: [REFORM_MONTH, y2025To, y2025From],
        },
      }),
    },
    {
      name: 'a congress term for two provinces',
      variant: (round) => {
        const a = pick(newProvinces, round, 5);
        const b = pick(newProvinces, round + 1, 5);
        return {
          request: {
            indicators: ['PB_NEW_MEMBERS'],
            units: [a.code, b.code],
            periods: ['2025-2030'],
            measures: ['VALUE'],
          },
          raw: {
            sql: `SELECT c.ancestor_id AS province, sum(f.value) AS value
              FROM unit_closure c JOIN fact f ON f.unit_id = c.descendant_id
              WHERE c.ancestor_id IN ($1, $2) AND f.indicator = 'PB_NEW_MEMBERS' AND f.grain = 'MONTH'
                AND f.start_month BETWEEN $3 AND $4
              GROUP BY c.ancestor_id ORDER BY province`,
            params: [a.id, b.id, termFrom, termTo],
          },
        };
      },
    },
    {
      name: 'a district by MONTH, 2023-2026',
      variant: (round) => {
        const district = pick(districts, round, 101);
        return {
          request: {
            indicators: ['PB_NEW_MEMBERS'],
            units: [district.code],
            from: '202301',
            to: '202612',
            grain: 'MONTH',
            boundariesAsOf: '2025-06-30',
            measures: ['VALUE'],
          },
          raw: {
            sql: `SELECT f.start_month, sum(f.value) AS value
              FROM unit_closure c JOIN fact f ON f.unit_id = c.descendant_id
              WHERE c.ancestor_id = $1 AND f.indicator = 'PB_NEW_MEMBERS' AND f.grain = 'MONTH'
                AND f.start_month BETWEEN $2 AND $3
              GROUP BY f.start_month ORDER BY f.start_month`,
            params: [district.id, FIRST_MONTH, LAST_MONTH],
          },
        };
      },
    },
  ];
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return { result, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** One question's medians: cold and warm platform, raw DuckDB, and cold over raw. */
export interface NationalCase {
  readonly name: string;
  readonly rows: number;
  /** How the engine answered the cold rounds: by the additive path, in memory or by the SQL programme. */
  readonly path: string;
  readonly coldMs: number;
  /** Cold, asking for every number of the rows. */
  readonly allMs: number;
  readonly warmMs: number;
  readonly rawMs: number;
  readonly ratio: number;
}

/**
 * Loads the real catalogue and the figures of `size` into a store file, then asks each question of
 * the issue in `rounds` alternating rounds (platform cold, then raw DuckDB, each round on other units
 * where the question allows), and once more through the answer cache for the warm time. Prints and
 * returns the medians.
 */
export async function benchNational(
  options: { size?: BenchSize; rounds?: number; log?: (line: string) => void } = {},
): Promise<NationalCase[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const size = options.size ?? 'S';
  const rounds = options.rounds ?? 3;
  const { units, links } = loadAdminUnits(DEFAULT_UNITS_DIR);
  const catalog = new UnitCatalog(units, links);
  const dir = mkdtempSync(join(tmpdir(), 'lgr-bench-national-'));
  const store = await AnalyticsStore.open(join(dir, 'analytics.duckdb'));
  try {
    const started = Date.now();
    await store.syncCatalog(catalog);
    let facts = 0;
    for (const batch of nationalFacts(catalog, size)) {
      await store.applyChanges('bench', batch, batch[batch.length - 1]!.seq);
      facts += batch.length;
    }
    log(
      `size ${size}: ${catalog.units.length} unit versions, ${facts} figures loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const kinds = nationalQuestions(catalog);
    // Each kind of question is asked once on other units before the measured rounds, as a running
    // service has: the first question of a store opens connections and reads the catalogue tables,
    // and the first of a kind compiles its code paths. Cold means that no answer is kept.
    for (const kind of kinds) await runAggregate(store, catalog, kind.variant(rounds + 1).request);
    const cold = kinds.map(() => [] as number[]);
    const all = kinds.map(() => [] as number[]);
    const raw = kinds.map(() => [] as number[]);
    const rows = kinds.map(() => 0);
    const paths = kinds.map(() => new Set<string>());
    for (let round = 0; round < rounds; round++) {
      for (const [k, kind] of kinds.entries()) {
        const q = kind.variant(round);
        const steps: string[] = [];
        const platform = await timed(() =>
          runAggregate(store, catalog, q.request, { trace: (step) => steps.push(step) }),
        );
        paths[k]!.add(
          steps.includes('additive evaluation')
            ? 'additive'
            : steps.includes('in-memory evaluation')
              ? 'memory'
              : 'programme',
        );
        cold[k]!.push(platform.ms);
        rows[k] = platform.result.length;
        const everyNumber = { ...q.request, measures: undefined };
        all[k]!.push((await timed(() => runAggregate(store, catalog, everyNumber))).ms);
        const direct = await timed(() => store.withConnection((c) => queryRows(c, statement(q.raw.sql, q.raw.params))));
        raw[k]!.push(direct.ms);
      }
    }
    // Warm: the same question again, answered from the answer cache the service keeps per generation.
    const cache = new AnswerCache({ maxEntries: 100, maxBytes: 256 * 1024 * 1024 });
    const generation = { version: store.version, digest: catalog.digest() };
    const warm = kinds.map(() => [] as number[]);
    for (const [k, kind] of kinds.entries()) {
      const q = kind.variant(0);
      const ask = () =>
        cache.get<AggregateRow[]>(
          generation,
          JSON.stringify(q.request),
          () => runAggregate(store, catalog, q.request),
          () => 1,
        );
      await ask();
      for (let round = 0; round < rounds; round++) warm[k]!.push((await timed(ask)).ms);
    }
    const cases = kinds.map((kind, k) => {
      const coldMs = median(cold[k]!);
      const rawMs = median(raw[k]!);
      const path = [...paths[k]!].join('+');
      const allMs = median(all[k]!);
      return {
        name: kind.name,
        rows: rows[k]!,
        path,
        coldMs,
        allMs,
        warmMs: median(warm[k]!),
        rawMs,
        ratio: coldMs / rawMs,
      };
    });
    log(
      `medians of ${rounds} alternating rounds; engine called directly (no gateway); cold = the value (with coverage), ` +
        'every number = with the same period, year to date and target; warm = answer-cache hit',
    );
    log(
      'question | rows | path | cold ms | every number ms | warm ms | raw DuckDB ms | cold / raw | every number / raw',
    );
    for (const c of cases) {
      log(
        `${c.name} | ${c.rows} | ${c.path} | ${c.coldMs.toFixed(1)} | ${c.allMs.toFixed(1)} | ${c.warmMs.toFixed(2)} | ` +
          `${c.rawMs.toFixed(1)} | ${c.ratio.toFixed(1)}x | ${(c.allMs / c.rawMs).toFixed(1)}x`,
      );
    }
    return cases;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
