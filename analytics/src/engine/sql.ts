import type { Grain } from '@lgr/schema';
import {
  CLOSURE_TABLE,
  columnList,
  Columns,
  CONTRIBUTION_TABLE,
  FACT_TABLE,
  SqlStatement,
  statement,
} from '../store/sql';

/*
 * The engine's SQL. A query loads its plan into temporary tables (plan_*), then computes DESIGN.md
 * section 3 bottom-up as a dynamic programme: one INSERT into dp_value per (grain, stage), finest
 * grain first, and within a grain the older units (stage 0) before the units whose figures for a time
 * before they existed are made of them (rule 4). Only nodes with a value, or an incomplete one, are
 * stored; a missing node is (null, complete). Targets follow in dp_target, one INSERT per stage, and
 * a last SELECT combines parts, ratios, percentages and totals. Work tables are keyed by integers:
 * iid (the plan's indicators), uid (unit_version.uid) and pid (the plan's periods).
 *
 * The temporary tables are created once per connection and filled inside each query's transaction,
 * which is rolled back, so the next query on the connection finds them empty. A step leaves out
 * the kinds of nodes the query cannot have at its grain and stage (see `steps.ts`), since DuckDB's
 * cost for a small query is mostly per operator, not per row.
 */

/**
 * Plan tables, filled by the appender from the plan made in TypeScript. Units are keyed by
 * `unit_version.uid`, a unit's position in the catalogue: the plan is made from the catalogue whose
 * digest the query checks the store holds, so the planner knows the keys and the unit facts the SQL
 * needs (stage, months) without joining the store's units in each query: `pu` (the plan's units),
 * `pr` (its rows) and `pw` (the valued units' rule-9 weight segments).
 */
export const PLAN_TABLES = {
  pu: [
    ['uid', 'INTEGER'],
    ['id', 'VARCHAR'],
    ['stage', 'INTEGER'],
    ['valid_from_month', 'INTEGER'],
    ['first_whole_month', 'INTEGER'],
    ['valued', 'BOOLEAN'],
    ['parent', 'BOOLEAN'],
    ['w_from', 'INTEGER'],
    ['w_to', 'INTEGER'],
    ['w_leaves', 'DOUBLE'],
  ],
  plan_periods: [
    ['pid', 'INTEGER'],
    ['code', 'VARCHAR'],
    ['grain', 'VARCHAR'],
    ['start_month', 'INTEGER'],
    ['end_month', 'INTEGER'],
    ['is_value', 'BOOLEAN'],
    ['is_target', 'BOOLEAN'],
    ['is_part', 'BOOLEAN'],
    ['parent_end', 'INTEGER'],
  ],
  plan_subs: [
    ['parent', 'INTEGER'],
    ['child', 'INTEGER'],
    ['ord', 'INTEGER'],
  ],
  plan_indicators: [
    ['iid', 'INTEGER'],
    ['code', 'VARCHAR'],
    ['rule', 'VARCHAR'],
    ['is_value', 'BOOLEAN'],
    ['is_target', 'BOOLEAN'],
  ],
  pr: [
    ['row_id', 'INTEGER'],
    ['template_id', 'INTEGER'],
    ['iid', 'INTEGER'],
    ['rule', 'VARCHAR'],
    ['uid', 'INTEGER'],
    ['target_pid', 'INTEGER'],
    ['group_id', 'INTEGER'],
    ['emit', 'BOOLEAN'],
    ['target_expected', 'DOUBLE'],
  ],
  plan_groups: [
    ['group_id', 'INTEGER'],
    ['indicator', 'VARCHAR'],
    ['rule', 'VARCHAR'],
    ['unit_id', 'VARCHAR'],
    ['target_period', 'VARCHAR'],
  ],
  pw: [
    ['uid', 'INTEGER'],
    ['from_month', 'INTEGER'],
    ['to_month', 'INTEGER'],
    ['leaves', 'DOUBLE'],
  ],
  plan_expected: [
    ['row_id', 'INTEGER'],
    ['pid', 'INTEGER'],
    ['is_stock', 'BOOLEAN'],
    ['expected', 'DOUBLE'],
  ],
  plan_parts: [
    ['template_id', 'INTEGER'],
    ['role', 'VARCHAR'],
    ['side', 'VARCHAR'],
    ['base', 'INTEGER'],
    ['rule', 'VARCHAR'],
    ['pid', 'INTEGER'],
    ['ord', 'INTEGER'],
  ],
} as const satisfies Record<string, Columns>;

/** The name of a plan table. */
export type PlanTable = keyof typeof PLAN_TABLES;

const WORK_TABLES: Record<string, Columns> = {
  dp_value: [
    ['stage', 'INTEGER'],
    ['iid', 'INTEGER'],
    ['uid', 'INTEGER'],
    ['pid', 'INTEGER'],
    ['value', 'DOUBLE'],
    ['complete', 'BOOLEAN'],
    ['has_own', 'BOOLEAN'],
    ['reported', 'DOUBLE'],
    ['delta', 'DOUBLE'],
  ],
  dp_target: [
    ['iid', 'INTEGER'],
    ['uid', 'INTEGER'],
    ['pid', 'INTEGER'],
    ['value', 'DOUBLE'],
    ['reported', 'DOUBLE'],
  ],
};

/** The order grains are computed in: a period's sub-periods are always of an earlier grain. */
export const GRAIN_ORDER: readonly Grain[] = ['MONTH', 'QUARTER', 'SIX_MONTH', 'YEAR', 'TERM'];

/** Months in a calendar period of each grain; a period of grain g starts on a multiple of its length. */
const GRAIN_MONTHS: readonly [Grain, number][] = [
  ['MONTH', 1],
  ['QUARTER', 3],
  ['SIX_MONTH', 6],
  ['YEAR', 12],
];

/** `100 * a / b`, null when either is null or b is zero (DESIGN 3 rule 8). */
export function pct(a: string, b: string): string {
  return `(CASE WHEN (${a}) IS NULL OR (${b}) IS NULL OR (${b}) = 0 THEN NULL ELSE 100 * (${a}) / (${b}) END)`;
}

/**
 * What DESIGN 3 rule 9 expects of a unit over a period, as an aggregate over the unit's weight
 * segments joined as `w` (see `weights.ts`): for a FLOW its leaf-months, the segments' leaves times
 * the months they share with the period; for a STOCK the leaves of the period's last month. `rule`,
 * `start` and `end` are columns the query groups by.
 */
export function expectedAggregate(rule: string, start: string, end: string): string {
  return `(CASE WHEN ${rule} = 'STOCK'
        THEN coalesce(max(w.leaves) FILTER (WHERE ${end} BETWEEN w.from_month AND w.to_month), 0)
        ELSE coalesce(sum(w.leaves * (least(w.to_month, ${end}) - greatest(w.from_month, ${start}) + 1))
          FILTER (WHERE w.from_month <= ${end} AND w.to_month >= ${start}), 0) END)`;
}

/**
 * {@link expectedAggregate} for a unit whose weight is one segment, from the columns `w_from`, `w_to`
 * and `w_leaves` of `unit` (weight 0 when it has none): the same sums without a join.
 */
export function segmentExpected(rule: string, start: string, end: string, unit: string): string {
  return `(CASE WHEN ${rule} = 'STOCK'
        THEN (CASE WHEN ${end} BETWEEN ${unit}.w_from AND ${unit}.w_to THEN ${unit}.w_leaves ELSE 0 END)
        ELSE ${unit}.w_leaves * greatest(0, least(${unit}.w_to, ${end}) - greatest(${unit}.w_from, ${start}) + 1) END)`;
}

/**
 * Coverage (rule 9), from 0 to 1: reported / expected; a number nothing was expected of is covered
 * exactly when it has a value (the reference evaluator's \`coverageOf\`).
 */
export function coverage(expected: string, reported: string, value: string): string {
  return `(CASE WHEN (${expected}) > 0 THEN least(1, greatest(0, (${reported}) / (${expected}))) WHEN (${value}) IS NOT NULL THEN 1 ELSE 0 END)`;
}

/** Coverage this close to 1 is 1: shares such as 1/3 do not sum exactly. */
const COMPLETE_AT = 1 - 1e-9;

/**
 * Creates (empty) the plan and work tables on a connection. The engine creates them once per
 * connection, outside any transaction, and fills them inside each query's transaction.
 */
export function createPlanTablesStatements(): SqlStatement[] {
  return [...Object.entries(PLAN_TABLES), ...Object.entries(WORK_TABLES)].map(([name, columns]) =>
    statement(`CREATE OR REPLACE TEMP TABLE ${name} (${columnList(columns as Columns)})`),
  );
}

/**
 * The tables derived from the plan tables and the store's tables, in the order they are filled: the
 * recorded values the query can use (`plan_facts`), the value periods inside which a unit that lies
 * only partly in a newer one recorded a value (`plan_partial_inside`: rule 4's lost figures), and the
 * recorded targets of the target periods (`plan_target_facts`).
 */
export const DERIVED_TABLES = ['plan_facts', 'plan_partial_inside', 'plan_target_facts'] as const;

/** The name of a derived table. */
export type DerivedTable = (typeof DERIVED_TABLES)[number];

/*
 * What fills each derived table. A calendar period of length L containing a fact starts at the fact's
 * start minus its remainder modulo L, so the containment test is an equality join; terms, few and
 * irregular, are joined by range. The facts' months are bound as constants (the plan's value months,
 * see {@link factMonths}): compared with a subquery over the plan they became a nested-loop join over
 * every fact, while constants are filtered in the scan.
 */
function derivedTableSelect(table: DerivedTable, months: readonly [string, string] = ['$1', '$2']): string {
  switch (table) {
    case 'plan_facts':
      return `SELECT i.iid, pu.uid, p.pid, f.start_month, f.end_month, f.value
      FROM ${FACT_TABLE} f
      JOIN pu ON pu.id = f.unit_id
      JOIN plan_indicators i ON i.is_value AND i.code = f.indicator
      LEFT JOIN plan_periods p ON p.is_value AND p.code = f.period
      WHERE f.value IS NOT NULL AND f.grain IS NOT NULL AND f.start_month >= ${months[0]} AND f.end_month <= ${months[1]}`;
    case 'plan_partial_inside': {
      const calendarInside = GRAIN_MONTHS.map(
        ([grain, months]) => `SELECT f.iid, f.uid, p.pid
      FROM facts f
      JOIN plan_periods p ON p.is_value AND p.grain = '${grain}' AND p.start_month = f.start_month - f.start_month % ${months}
      WHERE f.end_month <= p.end_month`,
      );
      return `WITH partial AS (
        SELECT DISTINCT c.contributor_uid AS uid
        FROM ${CONTRIBUTION_TABLE} c JOIN pu ON pu.valued AND pu.uid = c.unit_uid
        WHERE c.kind = 'PARTIAL'
      ),
      facts AS (SELECT f.* FROM plan_facts f JOIN partial p ON p.uid = f.uid)
      SELECT DISTINCT iid, uid, pid FROM (
        ${calendarInside.join('\n        UNION ALL\n        ')}
        UNION ALL
        SELECT f.iid, f.uid, p.pid
        FROM facts f
        JOIN plan_periods p ON p.is_value AND p.grain = 'TERM' AND f.start_month >= p.start_month AND f.end_month <= p.end_month
      )`;
    }
    case 'plan_target_facts':
      return `SELECT i.iid, pu.uid, p.pid, f.target
      FROM ${FACT_TABLE} f
      JOIN pu ON pu.valued AND pu.id = f.unit_id
      JOIN plan_indicators i ON i.is_target AND i.code = f.indicator
      JOIN plan_periods p ON p.is_target AND p.code = f.period
      WHERE f.target IS NOT NULL`;
  }
}

/**
 * Creates the derived tables (see {@link fillDerivedTableStatement}) with the columns of what fills
 * them; over empty plan tables they are created empty, as the engine does once per connection.
 */
export function derivedTablesStatements(): SqlStatement[] {
  return DERIVED_TABLES.map((table) =>
    // Created empty: no month is within NULL bounds.
    statement(
      `CREATE OR REPLACE TEMP TABLE ${table} AS\n      ${derivedTableSelect(table, ['NULL::INTEGER', 'NULL::INTEGER'])}`,
    ),
  );
}

/** The first and last month of the facts a query can use: those of its value periods. */
export interface FactMonths {
  readonly from: number;
  readonly to: number;
}

/** No month: what the empty tables are created with. */
const NO_MONTHS: FactMonths = { from: 1, to: 0 };

/** The months of a plan's value periods, or none when it values no period. */
export function factMonths(periods: readonly { value: boolean; startMonth: number; endMonth: number }[]): FactMonths {
  let from = Infinity;
  let to = -Infinity;
  for (const p of periods) {
    if (!p.value) continue;
    from = Math.min(from, p.startMonth);
    to = Math.max(to, p.endMonth);
  }
  return from <= to ? { from, to } : NO_MONTHS;
}

function derivedTableParams(table: DerivedTable, months: FactMonths): number[] {
  return table === 'plan_facts' ? [months.from, months.to] : [];
}

/**
 * Fills a derived table (see {@link DERIVED_TABLES}) from the plan tables and the store's tables;
 * `plan_facts` reads the facts within `months`, the plan's {@link factMonths}.
 */
export function fillDerivedTableStatement(table: DerivedTable, months: FactMonths = NO_MONTHS): SqlStatement {
  return statement(`INSERT INTO ${table}\n      ${derivedTableSelect(table)}`, derivedTableParams(table, months));
}

/** A row of {@link stagesStatement}: how many rows of one kind the query's data has. */
export type StageCountKind = 'OWN' | 'PARTIAL_INSIDE' | 'TARGETS';

/**
 * What the query's data holds for its steps, as rows (kind, stage, grain, n): `OWN`, the recorded
 * values for exactly a value period, per stage and grain of the period (what a step's own nodes are
 * made of); `PARTIAL_INSIDE`, rule 4's lost figures, per grain (stage null); `TARGETS`, the recorded
 * targets of the target periods, per stage (grain null). With what the plan says about the units
 * (`steps.ts`), they tell which steps can produce anything and which kinds of nodes each can have.
 */
export function stagesStatement(): SqlStatement {
  return statement(`SELECT 'OWN' AS kind, pu.stage, p.grain, count(*) AS n
    FROM plan_facts f JOIN pu ON pu.uid = f.uid JOIN plan_periods p ON p.pid = f.pid
    WHERE pu.valued
    GROUP BY pu.stage, p.grain
    UNION ALL
    SELECT 'PARTIAL_INSIDE', NULL, p.grain, count(*)
    FROM plan_partial_inside i JOIN plan_periods p ON p.pid = i.pid
    GROUP BY p.grain
    UNION ALL
    SELECT 'TARGETS', pu.stage, NULL, count(*)
    FROM plan_target_facts t JOIN pu ON pu.uid = t.uid
    GROUP BY pu.stage`);
}

/**
 * The kinds of nodes one value step computes (DESIGN 3's order; see {@link valueStepStatement}). A
 * kind left out is one the query cannot have at the step's grain and stage, so leaving it out changes
 * nothing but the cost.
 */
export interface ValueStepParts {
  /** Rule 1: values recorded for exactly the period. */
  readonly own: boolean;
  /** Rule 4: WHOLE and SHARE contributions of older units, for a period before the unit existed. */
  readonly before: boolean;
  /** Rule 4: the lost figures of older units lying partly inside (incomplete nodes). */
  readonly partial: boolean;
  /** Rules 2 and 4: the period split into its sub-periods. */
  readonly split: boolean;
  /** Rule 3: nodes added to the ancestors whose value is the sum of their children. */
  readonly lift: boolean;
}

/** The time rules of the indicators a query values: a FLOW and a STOCK split differently. */
export interface StepRules {
  readonly flow: boolean;
  readonly stock: boolean;
}

/** Both time rules: what a step handles when nothing is known about the query. */
export const ALL_RULES: StepRules = { flow: true, stock: true };

/** The time rules of a plan's valued indicators (a RATIO's sides are FLOW or STOCK indicators themselves). */
export function stepRules(indicators: readonly { rule: string; value: boolean }[]): StepRules {
  const valued = indicators.filter((i) => i.value);
  return { flow: valued.some((i) => i.rule !== 'STOCK'), stock: valued.some((i) => i.rule === 'STOCK') };
}

/** Every kind of node: what a step computes when nothing is known about the query. */
export const ALL_VALUE_PARTS: ValueStepParts = { own: true, before: true, partial: true, split: true, lift: true };

/**
 * One step of the value programme: every node (indicator, unit of stage $2, period of grain $1) with a
 * value or an incomplete flag. A node is, in DESIGN 3's order:
 * - OWN: the unit recorded a value for exactly the period (rule 1);
 * - BEFORE: the period ends before the unit existed; the contributions of older units (stored
 *   earlier, at this grain) times their shares, incomplete when a partly overlapping unit that cannot
 *   be split recorded anything inside the period (rule 4). Only computed where it can be used: for a
 *   period a row asks for, or one a period that is not wholly before the unit splits into;
 * - SPLIT: the period starts before the unit existed (and is no month), or the unit recorded a value
 *   inside it; its direct sub-periods (stored at earlier grains) combined, FLOW by sum and STOCK by
 *   the latest part with a value (rules 2 and 4);
 * - otherwise the sum of its children (rule 3). Rather than walking down level by level, each node
 *   of the three kinds above is added to every ancestor it reaches through nodes of the fourth kind:
 *   those below its nearest ancestor that is of one of the first three kinds.
 *
 * `has_own` marks the nodes whose unit recorded a value inside their period. A recorded value always
 * makes a node (its own, then the SPLIT nodes above it, which have a value because it does), so a
 * unit recorded something inside a period exactly when one of its nodes for a sub-period has
 * `has_own`; and an ancestor is of one of the first three kinds exactly when it is wholly or partly
 * before its unit's existence, or has a node of those kinds in this step.
 *
 * `parts` leaves out kinds of nodes the query cannot have here; at least one of own, before, partial
 * and split must be kept.
 */
export function valueStepStatement(
  grain: Grain,
  stage: number,
  parts: ValueStepParts = ALL_VALUE_PARTS,
  rules: StepRules = ALL_RULES,
): SqlStatement {
  const { own, before, partial, split, lift } = parts;
  if (!rules.flow && !rules.stock) throw new Error('A value step needs a time rule');
  if (!own && !before && !partial && !split) throw new Error('A value step needs at least one kind of node');
  // A node with a value of its own is of that kind only (rule 1 first).
  const notOwn = (alias: string) =>
    own ? `\n      ANTI JOIN own o ON o.iid = ${alias}.iid AND o.uid = ${alias}.uid AND o.pid = ${alias}.pid` : '';
  const ctes = [
    `per AS MATERIALIZED (
      SELECT pid, grain, start_month, end_month, is_part, parent_end FROM plan_periods WHERE is_value AND grain = $1
    )`,
    `su AS MATERIALIZED (
      SELECT uid, valid_from_month, first_whole_month, parent, w_from, w_to, w_leaves FROM pu WHERE valued AND stage = $2
    )`,
  ];
  if (own) {
    // Rule 9: an own figure reports everything expected of its node. The store holds one figure per
    // (indicator, unit, period); a unit whose weight is one segment needs no join with its segments.
    ctes.push(`own AS MATERIALIZED (
      SELECT f.iid, f.uid, f.pid, f.value, TRUE AS complete, TRUE AS has_own,
        ${segmentExpected('ind.rule', 'per.start_month', 'per.end_month', 'su')} AS reported,
        0::DOUBLE AS delta
      FROM plan_facts f JOIN su ON su.uid = f.uid JOIN per ON per.pid = f.pid
      JOIN plan_indicators ind ON ind.iid = f.iid
      WHERE su.w_leaves IS NOT NULL
      UNION ALL
      SELECT f.iid, f.uid, f.pid, any_value(f.value) AS value, TRUE AS complete, TRUE AS has_own,
        ${expectedAggregate('ind.rule', 'per.start_month', 'per.end_month')} AS reported,
        0::DOUBLE AS delta
      FROM plan_facts f JOIN su ON su.uid = f.uid JOIN per ON per.pid = f.pid
      JOIN plan_indicators ind ON ind.iid = f.iid
      LEFT JOIN pw w ON w.uid = f.uid
      WHERE su.w_leaves IS NULL
      GROUP BY f.iid, f.uid, f.pid, ind.rule, per.start_month, per.end_month
    )`);
  }
  const beforeParts: string[] = [];
  if (before) {
    // The nodes of the step's periods first: joined with the contributions first, every node of
    // every grain of the contributors was.
    ctes.push(`grain_nodes AS MATERIALIZED (
      SELECT v.iid, v.uid, v.pid, v.value, v.complete, v.reported, v.delta, per.end_month, per.is_part, per.parent_end
      FROM dp_value v JOIN per ON per.pid = v.pid
    )`);
    beforeParts.push(`SELECT v.iid, c.unit_uid AS uid, v.pid, v.value * c.share AS value, v.complete,
        v.reported * c.share AS reported, v.delta * c.share AS delta
      FROM ${CONTRIBUTION_TABLE} c
      JOIN su ON su.uid = c.unit_uid
      JOIN grain_nodes v ON v.uid = c.contributor_uid
      WHERE c.kind IN ('WHOLE', 'SHARE') AND v.end_month < su.valid_from_month
        AND (v.is_part OR v.parent_end >= su.valid_from_month)`);
  }
  if (partial) {
    beforeParts.push(`SELECT i.iid, c.unit_uid AS uid, i.pid, NULL::DOUBLE AS value, FALSE AS complete,
        0::DOUBLE AS reported, 0::DOUBLE AS delta
      FROM ${CONTRIBUTION_TABLE} c
      JOIN su ON su.uid = c.unit_uid
      JOIN plan_partial_inside i ON i.uid = c.contributor_uid
      JOIN per ON per.pid = i.pid
      WHERE c.kind = 'PARTIAL' AND per.end_month < su.valid_from_month
        AND (per.is_part OR per.parent_end >= su.valid_from_month)`);
  }
  if (beforeParts.length) {
    ctes.push(`before_parts AS (
      ${beforeParts.join('\n      UNION ALL\n      ')}
    )`);
    ctes.push(`before AS (
      SELECT b.iid, b.uid, b.pid, sum(b.value) AS value, bool_and(b.complete) AS complete, FALSE AS has_own,
        sum(b.reported) AS reported, sum(b.delta) AS delta
      FROM before_parts b${notOwn('b')}
      GROUP BY b.iid, b.uid, b.pid
    )`);
  }
  if (split) {
    // Rule 9: a FLOW sums its parts' weights; a STOCK takes the part whose value it took, whose
    // expected weight differs from the node's (the leaves of its own last month) before a reform.
    // Each time rule the query has is its own aggregate: a FLOW needs only sums, and no weights.
    // This stage's nodes (dp_value.stage) are aggregated per parent period first and joined with the
    // stage's units after: joined before, with the units' months compared to the periods', the join
    // order the optimiser picks for the small plan tables multiplied units by periods.
    const splitInput = (rule: string, sub = '') => `FROM dp_value v
      JOIN plan_subs s ON s.child = v.pid${sub}
      JOIN per ON per.pid = s.parent${rules.flow && rules.stock ? `\n      JOIN plan_indicators ind ON ind.iid = v.iid AND ind.rule ${rule}` : ''}
      WHERE v.stage = $2
      GROUP BY v.iid, v.uid, s.parent, per.start_month, per.end_month`;
    const kept = `JOIN su ON su.uid = x.uid
      WHERE x.end_month >= su.valid_from_month AND (x.has_own OR x.start_month < su.first_whole_month)`;
    const splits: string[] = [];
    if (rules.flow) {
      ctes.push(`flow_parts AS (
      SELECT v.iid, v.uid, s.parent AS pid, per.start_month, per.end_month, sum(v.value) AS value,
        bool_and(v.complete) AS complete, bool_or(v.has_own) AS has_own, sum(v.reported) AS reported
      ${splitInput("<> 'STOCK'")}
    )`);
      splits.push(`SELECT x.iid, x.uid, x.pid, x.value, x.complete, x.has_own, x.reported, 0::DOUBLE AS delta
      FROM flow_parts x
      ${kept}`);
    }
    if (rules.stock) {
      ctes.push(`stock_parts AS (
      SELECT v.iid, v.uid, s.parent AS pid, per.start_month, per.end_month,
        arg_max(v.value, s.ord) FILTER (WHERE v.value IS NOT NULL) AS value,
        bool_and(v.complete) AS complete,
        bool_or(v.has_own) AS has_own,
        coalesce(arg_max(v.reported, s.ord) FILTER (WHERE v.value IS NOT NULL), 0) AS reported,
        coalesce(arg_max(v.delta, s.ord) FILTER (WHERE v.value IS NOT NULL), 0) AS delta,
        arg_max(sub.end_month, s.ord) FILTER (WHERE v.value IS NOT NULL) AS taken_end
      ${splitInput("= 'STOCK'", '\n      JOIN plan_periods sub ON sub.pid = v.pid')}
    )`);
      splits.push(`SELECT x.iid, x.uid, x.pid, x.value, x.complete, x.has_own, x.reported,
        x.delta + CASE WHEN x.taken_end < x.end_month
          THEN coalesce(a.leaves, 0) - coalesce(b.leaves, 0) ELSE 0 END AS delta
      FROM stock_parts x
      LEFT JOIN pw a ON a.uid = x.uid AND x.taken_end BETWEEN a.from_month AND a.to_month
      LEFT JOIN pw b ON b.uid = x.uid AND x.end_month BETWEEN b.from_month AND b.to_month
      ${kept}`);
    }
    ctes.push(`split AS (
      ${splits.join('\n      UNION ALL\n      ')}
    )`);
  }
  const locals: string[] = [];
  if (own) locals.push(`SELECT ${NODE_COLUMNS} FROM own`);
  if (beforeParts.length) locals.push(`SELECT ${NODE_COLUMNS} FROM before`);
  if (split)
    locals.push(
      `SELECT s.iid, s.uid, s.pid, s.value, s.complete, s.has_own, s.reported, s.delta FROM split s${notOwn('s')}`,
    );
  // Read three times when lifted, else once.
  ctes.push(`local AS ${lift ? 'MATERIALIZED ' : ''}(
      ${locals.join('\n      UNION ALL\n      ')}
    )`);
  const selects = [`SELECT ${NODE_COLUMNS} FROM local WHERE value IS NOT NULL OR NOT complete`];
  if (lift) {
    ctes.push(
      `lifted AS MATERIALIZED (
      SELECT l.iid, l.uid, l.pid, l.value, l.complete, l.reported, l.delta, t.ancestor_uid, t.distance,
        per.end_month < a.valid_from_month OR (per.start_month < a.first_whole_month AND per.grain <> 'MONTH') AS dated
      FROM local l
      JOIN ${CLOSURE_TABLE} t ON t.descendant_uid = l.uid AND t.distance > 0
      JOIN su a ON a.uid = t.ancestor_uid
      JOIN per ON per.pid = l.pid
    )`,
      `blocked AS (
      SELECT x.iid, x.uid, x.pid, min(x.distance) AS distance
      FROM lifted x
      LEFT JOIN (SELECT l.iid, l.uid, l.pid FROM local l JOIN su p ON p.uid = l.uid AND p.parent) k
        ON k.iid = x.iid AND k.uid = x.ancestor_uid AND k.pid = x.pid
      WHERE x.dated OR k.uid IS NOT NULL
      GROUP BY x.iid, x.uid, x.pid
    )`,
      `pushed AS (
      SELECT x.iid, x.ancestor_uid AS uid, x.pid, sum(x.value) AS value, bool_and(x.complete) AS complete, FALSE AS has_own,
        sum(x.reported) AS reported, sum(x.delta) AS delta
      FROM lifted x
      LEFT JOIN blocked b ON b.iid = x.iid AND b.uid = x.uid AND b.pid = x.pid
      WHERE b.distance IS NULL OR x.distance < b.distance
      GROUP BY x.iid, x.ancestor_uid, x.pid
    )`,
    );
    selects.push(`SELECT ${NODE_COLUMNS} FROM pushed WHERE value IS NOT NULL OR NOT complete`);
  }
  return statement(
    `INSERT INTO dp_value (stage, ${NODE_COLUMNS})
    WITH ${ctes.join(',\n    ')}
    SELECT $2::INTEGER, n.* FROM (
    ${selects.join('\n    UNION ALL\n    ')}
    ) n`,
    [grain, stage],
  );
}

/** The columns of a node of the value programme. */
const NODE_COLUMNS = 'iid, uid, pid, value, complete, has_own, reported, delta';

/** The kinds of targets one target step computes (see {@link targetStepStatement}). */
export interface TargetStepParts {
  /** The units' own recorded targets. */
  readonly own: boolean;
  /** Rule 4: contributions of older units, for a target period that ended before the unit existed. */
  readonly before: boolean;
  /** Rule 3: targets added to the ancestors whose target is the sum of their children's. */
  readonly lift: boolean;
}

/** Every kind of target: what a step computes when nothing is known about the query. */
export const ALL_TARGET_PARTS: TargetStepParts = { own: true, before: true, lift: true };

/**
 * One step of the target programme for the units of stage $1 (DESIGN 3 rule 5): a unit's own target
 * for the target period; else, for FLOW and STOCK, the contributions of older units when the target
 * period ended before the unit existed (rule 4), or the sum of its children (rule 3). A RATIO target
 * is never summed: it exists only where it was recorded. `parts` leaves out kinds the query cannot
 * have here; own or before must be kept.
 */
export function targetStepStatement(stage: number, parts: TargetStepParts = ALL_TARGET_PARTS): SqlStatement {
  const { own, before, lift } = parts;
  if (!own && !before) throw new Error('A target step needs own targets or contributions');
  const ctes = [
    `su AS MATERIALIZED (
      SELECT uid, valid_from_month FROM pu WHERE valued AND stage = $1
    )`,
  ];
  if (own) {
    ctes.push(`own AS MATERIALIZED (
      SELECT f.iid, f.uid, f.pid, any_value(f.target) AS value,
        ${expectedAggregate('ind.rule', 'per.start_month', 'per.end_month')} AS reported
      FROM plan_target_facts f JOIN su ON su.uid = f.uid
      JOIN plan_periods per ON per.pid = f.pid
      JOIN plan_indicators ind ON ind.iid = f.iid
      LEFT JOIN pw w ON w.uid = f.uid
      GROUP BY f.iid, f.uid, f.pid, ind.rule, per.start_month, per.end_month
    )`);
  }
  if (before) {
    ctes.push(`before AS (
      SELECT v.iid, c.unit_uid AS uid, v.pid, sum(v.value * c.share) AS value, sum(v.reported * c.share) AS reported
      FROM ${CONTRIBUTION_TABLE} c
      JOIN su ON su.uid = c.unit_uid
      JOIN dp_target v ON v.uid = c.contributor_uid
      JOIN plan_periods per ON per.pid = v.pid
      JOIN plan_indicators ind ON ind.iid = v.iid
      WHERE c.kind IN ('WHOLE', 'SHARE') AND per.end_month < su.valid_from_month AND ind.rule <> 'RATIO'
      GROUP BY v.iid, c.unit_uid, v.pid
    )`);
  }
  const locals: string[] = [];
  if (own) locals.push('SELECT iid, uid, pid, value, reported FROM own');
  if (before) {
    locals.push(
      `SELECT b.iid, b.uid, b.pid, b.value, b.reported FROM before b${own ? '\n      ANTI JOIN own o ON o.iid = b.iid AND o.uid = b.uid AND o.pid = b.pid' : ''}`,
    );
  }
  ctes.push(`local AS ${lift ? 'MATERIALIZED ' : ''}(
      ${locals.join('\n      UNION ALL\n      ')}
    )`);
  const selects = ['SELECT iid, uid, pid, value, reported FROM local WHERE value IS NOT NULL'];
  if (lift) {
    ctes.push(
      `lifted AS MATERIALIZED (
      SELECT l.iid, l.uid, l.pid, l.value, l.reported, t.ancestor_uid, t.distance, per.end_month, a.valid_from_month
      FROM local l
      JOIN plan_indicators ind ON ind.iid = l.iid AND ind.rule <> 'RATIO'
      JOIN ${CLOSURE_TABLE} t ON t.descendant_uid = l.uid AND t.distance > 0
      JOIN su a ON a.uid = t.ancestor_uid
      JOIN plan_periods per ON per.pid = l.pid
    )`,
      own
        ? `blocked AS (
      SELECT x.iid, x.uid, x.pid, min(x.distance) AS distance
      FROM lifted x
      LEFT JOIN own o ON o.iid = x.iid AND o.uid = x.ancestor_uid AND o.pid = x.pid
      WHERE x.end_month < x.valid_from_month OR o.uid IS NOT NULL
      GROUP BY x.iid, x.uid, x.pid
    )`
        : `blocked AS (
      SELECT x.iid, x.uid, x.pid, min(x.distance) AS distance
      FROM lifted x
      WHERE x.end_month < x.valid_from_month
      GROUP BY x.iid, x.uid, x.pid
    )`,
      `pushed AS (
      SELECT x.iid, x.ancestor_uid AS uid, x.pid, sum(x.value) AS value, sum(x.reported) AS reported
      FROM lifted x
      LEFT JOIN blocked b ON b.iid = x.iid AND b.uid = x.uid AND b.pid = x.pid
      WHERE b.distance IS NULL OR x.distance < b.distance
      GROUP BY x.iid, x.ancestor_uid, x.pid
    )`,
    );
    selects.push('SELECT iid, uid, pid, value, reported FROM pushed WHERE value IS NOT NULL');
  }
  return statement(
    `INSERT INTO dp_target (iid, uid, pid, value, reported)
    WITH ${ctes.join(',\n    ')}
    ${selects.join('\n    UNION ALL\n    ')}`,
    [stage],
  );
}

const ROLES = [
  ['value', 'VALUE'],
  ['same', 'SAME'],
  ['ytd', 'YTD'],
] as const;

/** What the answer reads besides the rows' values (see {@link resultStatement}). */
export interface ResultParts {
  /** The plan has totals groups. */
  readonly groups: boolean;
  /** dp_target may hold targets. */
  readonly targets: boolean;
}

/** Totals and targets: what the answer reads when nothing is known about the query. */
export const ALL_RESULT_PARTS: ResultParts = { groups: true, targets: true };

/** One value per role, side and measure (value, expected, reported) of a row's parts, as pivoted columns. */
function pivotColumns(): string {
  return ROLES.flatMap(([name, role]) =>
    (['n', 'd'] as const).flatMap((side) =>
      (
        [
          ['', 'value'],
          ['_e', 'expected'],
          ['_r', 'reported'],
        ] as const
      ).map(
        ([suffix, column]) =>
          `max(pv.${column}) FILTER (WHERE pv.role = '${role}' AND pv.side = '${side.toUpperCase()}') AS ${name}${suffix}_${side}`,
      ),
    ),
  ).join(',\n        ');
}

/** The same columns summed over a group's rows. */
function summedColumns(): string {
  return ROLES.flatMap(([name]) =>
    (['n', 'd'] as const).flatMap((side) =>
      ['', '_e', '_r'].map((suffix) => `sum(r.${name}${suffix}_${side}) AS ${name}${suffix}_${side}`),
    ),
  ).join(', ');
}

/** A role's number: a ratio from its two sides (rule 7), else the numerator side. */
function combined(name: string): string {
  return `CASE WHEN rule = 'RATIO' THEN ${pct(`${name}_n`, `${name}_d`)} ELSE ${name}_n END`;
}

/** A role's coverage (rule 9): a ratio's is the smaller of its two sides'. */
function combinedCoverage(name: string): string {
  const side = (s: 'n' | 'd') => coverage(`${name}_e_${s}`, `${name}_r_${s}`, `${name}_${s}`);
  return `CASE WHEN rule = 'RATIO' THEN least(${side('n')}, ${side('d')}) ELSE ${side('n')} END`;
}

/** The numbers and coverages of a row or a total, from its combined columns. */
function answerColumns(kind: 'ROW' | 'TOTAL', id: string): string {
  return `SELECT '${kind}' AS kind, ${id} AS id, value, target, ${pct('ytd', 'target')} AS achievement_pct,
      same_value, ${pct('value', 'same_value')} AS same_pct, ytd,
      intact AND cov_value >= ${COMPLETE_AT} AS complete, cov_value, cov_target, cov_ytd, cov_same`;
}

/** Each role's value and coverage of a row or a total, from its pivoted (or summed) columns. */
function combinedColumns(): string {
  return ROLES.map(
    ([name]) => `${combined(name)} AS ${name === 'value' ? 'value' : name === 'same' ? 'same_value' : 'ytd'},
        ${combinedCoverage(name)} AS cov_${name}`,
  ).join(',\n        ');
}

/**
 * Each part of each row (a node of the programme, or nothing: null, reported 0) with what rule 9
 * expects of it, and the parts of a role combined by the time rule: FLOW sums values and weights,
 * STOCK takes the latest part with a value (else the last) with its weights.
 */
function partValuesCte(): string {
  return `part_nodes AS (
      SELECT r.row_id, p.role, p.side, p.ord, p.rule, any_value(v.value) AS value,
        any_value(v.complete) AS complete, coalesce(any_value(v.reported), 0) AS reported,
        coalesce(any_value(e.expected), 0) + coalesce(any_value(v.delta), 0) AS expected
      FROM pr r
      JOIN plan_parts p ON p.template_id = r.template_id
      LEFT JOIN dp_value v ON v.iid = p.base AND v.uid = r.uid AND v.pid = p.pid
      LEFT JOIN plan_expected e ON e.row_id = r.row_id AND e.pid = p.pid AND e.is_stock = (p.rule = 'STOCK')
      GROUP BY r.row_id, p.role, p.side, p.ord, p.rule
    ),
    part_values AS (
      SELECT row_id, role, side,
        CASE WHEN any_value(rule) = 'STOCK'
          THEN arg_max(value, ord) FILTER (WHERE value IS NOT NULL)
          ELSE sum(value) END AS value,
        bool_and(coalesce(complete, TRUE)) AS complete,
        CASE WHEN any_value(rule) = 'STOCK'
          THEN coalesce(arg_max(expected, ord) FILTER (WHERE value IS NOT NULL), arg_max(expected, ord))
          ELSE sum(expected) END AS expected,
        CASE WHEN any_value(rule) = 'STOCK'
          THEN coalesce(arg_max(reported, ord) FILTER (WHERE value IS NOT NULL), arg_max(reported, ord))
          ELSE sum(reported) END AS reported
      FROM part_nodes
      GROUP BY row_id, role, side
    )`;
}

/**
 * Each row's target (rule 5) with what rule 9 expects of it over the target period; its coverage is
 * reported / expected, a RATIO's 1 where it was recorded (ratio targets are never summed).
 */
function rowTargetsCte(targets: boolean): string {
  const value = targets ? 'any_value(t.value)' : 'NULL::DOUBLE';
  const reported = targets ? 'coalesce(any_value(t.reported), 0)' : '0::DOUBLE';
  const join = targets
    ? '\n      LEFT JOIN dp_target t ON t.iid = r.iid AND t.uid = r.uid AND t.pid = r.target_pid'
    : '';
  return `row_targets AS (
      SELECT r.row_id, ${value} AS target, ${reported} AS target_r, any_value(r.target_expected) AS target_e
      FROM pr r${join}
      WHERE r.target_pid IS NOT NULL
      GROUP BY r.row_id
    )`;
}

/** A target's coverage: a RATIO's is 1 where it was recorded (`ratioTarget`), a summed one's reported / expected. */
function targetCoverage(
  rule: string,
  ratioTarget: string,
  summedTarget: string,
  expected: string,
  reported: string,
): string {
  return `CASE WHEN ${rule} = 'RATIO' THEN (CASE WHEN ${ratioTarget} IS NULL THEN 0 ELSE 1 END) ELSE ${coverage(expected, reported, summedTarget)} END`;
}

/** The totals: the rows' components summed per group, ratios and percentages recomputed from the sums. */
function groupsSql(): string {
  return `,
    group_values AS (
      SELECT g.group_id, g.rule, ${summedColumns()},
        sum(r.target) AS target_sum, sum(r.target_e) AS target_e, sum(r.target_r) AS target_r,
        coalesce(bool_and(r.intact), TRUE) AS intact,
        any_value(f.target) AS own_target
      FROM plan_groups g
      LEFT JOIN row_values r ON r.group_id = g.group_id
      LEFT JOIN ${FACT_TABLE} f ON f.indicator = g.indicator AND f.unit_id = g.unit_id AND f.period = g.target_period
      GROUP BY g.group_id, g.rule
    ),
    group_results AS (
      SELECT group_id, intact,
        CASE WHEN rule = 'RATIO' THEN own_target ELSE target_sum END AS target,
        ${targetCoverage('rule', 'own_target', 'target_sum', 'target_e', 'target_r')} AS cov_target,
        ${combinedColumns()}
      FROM group_values
    )
    ${answerColumns('ROW', 'row_id')}
    FROM row_results
    UNION ALL
    ${answerColumns('TOTAL', 'group_id')}
    FROM group_results`;
}

/**
 * The answer: each row's parts combined by the time rule (FLOW sum, STOCK latest part with a value),
 * ratios recomputed from numerator and denominator (rule 7), achievement against the target (rule 5),
 * the same period last year (rule 6), and each number's coverage (rule 9: reported over expected
 * weights; a ratio's the smaller of its sides'); `complete` when no figure was lost to rule 4 and the
 * value's coverage is 1. Per totals group, the rows' numerators, denominators, targets, same-period
 * values and weights summed and the percentages recomputed from the sums. A RATIO total's target is
 * the requested unit's own, since ratio targets are never summed. `parts` leaves out the totals when
 * the plan has none, and the targets when no step stored any.
 */
export function resultStatement(parts: ResultParts = ALL_RESULT_PARTS): SqlStatement {
  const rows = `${answerColumns('ROW', 'row_id')}
    FROM row_results`;
  return statement(
    `WITH ${partValuesCte()},
    ${rowTargetsCte(parts.targets)},
    row_values AS ${parts.groups ? 'MATERIALIZED ' : ''}(
      SELECT r.row_id, r.group_id, r.rule, r.emit,
        ${pivotColumns()},
        coalesce(bool_and(pv.complete) FILTER (WHERE pv.role = 'VALUE'), TRUE) AS intact,
        any_value(t.target) AS target, any_value(t.target_e) AS target_e, any_value(t.target_r) AS target_r
      FROM pr r
      LEFT JOIN part_values pv ON pv.row_id = r.row_id
      LEFT JOIN row_targets t ON t.row_id = r.row_id
      GROUP BY r.row_id, r.group_id, r.rule, r.emit
    ),
    row_results AS (
      SELECT row_id, intact, target,
        ${targetCoverage('rule', 'target', 'target', 'target_e', 'target_r')} AS cov_target,
        ${combinedColumns()}
      FROM row_values WHERE emit
    )${parts.groups ? groupsSql() : `\n    ${rows}`}`,
  );
}
