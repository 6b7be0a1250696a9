import type { Grain } from '@lgr/schema';
import {
  CLOSURE_TABLE,
  columnList,
  Columns,
  CONTRIBUTION_TABLE,
  FACT_TABLE,
  SqlStatement,
  statement,
  UNIT_TABLE,
} from '../store/sql';

/*
 * The engine's SQL. A query loads its plan into temporary tables (plan_*), then computes DESIGN.md
 * section 3 bottom-up as a dynamic programme: one INSERT into dp_value per (grain, stage), finest
 * grain first, and within a grain the older units (stage 0) before the units whose figures for a time
 * before they existed are made of them (rule 4). Only nodes with a value, or an incomplete one, are
 * stored; a missing node is (null, complete). Targets follow in dp_target, one INSERT per stage, and
 * a last SELECT combines parts, ratios, percentages and totals.
 */

/** Plan and work tables, created per query on the query's own connection. */
export const PLAN_TABLES = {
  plan_units: [
    ['unit_id', 'VARCHAR'],
    ['valued', 'BOOLEAN'],
  ],
  plan_periods: [
    ['code', 'VARCHAR'],
    ['grain', 'VARCHAR'],
    ['start_month', 'INTEGER'],
    ['end_month', 'INTEGER'],
  ],
  plan_subs: [
    ['parent', 'VARCHAR'],
    ['child', 'VARCHAR'],
    ['ord', 'INTEGER'],
  ],
  plan_indicators: [
    ['code', 'VARCHAR'],
    ['rule', 'VARCHAR'],
  ],
  plan_target_periods: [
    ['code', 'VARCHAR'],
    ['grain', 'VARCHAR'],
    ['start_month', 'INTEGER'],
    ['end_month', 'INTEGER'],
  ],
  plan_target_indicators: [
    ['code', 'VARCHAR'],
    ['rule', 'VARCHAR'],
  ],
  plan_rows: [
    ['row_id', 'INTEGER'],
    ['indicator', 'VARCHAR'],
    ['rule', 'VARCHAR'],
    ['unit_id', 'VARCHAR'],
    ['period', 'VARCHAR'],
    ['target_period', 'VARCHAR'],
    ['group_id', 'INTEGER'],
    ['emit', 'BOOLEAN'],
  ],
  plan_groups: [
    ['group_id', 'INTEGER'],
    ['indicator', 'VARCHAR'],
    ['rule', 'VARCHAR'],
    ['unit_id', 'VARCHAR'],
    ['target_period', 'VARCHAR'],
  ],
  plan_parts: [
    ['row_id', 'INTEGER'],
    ['role', 'VARCHAR'],
    ['side', 'VARCHAR'],
    ['base', 'VARCHAR'],
    ['rule', 'VARCHAR'],
    ['period', 'VARCHAR'],
    ['ord', 'INTEGER'],
  ],
} as const satisfies Record<string, Columns>;

export type PlanTable = keyof typeof PLAN_TABLES;

const WORK_TABLES: Record<string, Columns> = {
  dp_value: [
    ['indicator', 'VARCHAR'],
    ['unit_id', 'VARCHAR'],
    ['period', 'VARCHAR'],
    ['value', 'DOUBLE'],
    ['complete', 'BOOLEAN'],
  ],
  dp_target: [
    ['indicator', 'VARCHAR'],
    ['unit_id', 'VARCHAR'],
    ['period', 'VARCHAR'],
    ['value', 'DOUBLE'],
  ],
};

/** The order grains are computed in: a period's sub-periods are always of an earlier grain. */
export const GRAIN_ORDER: readonly Grain[] = ['MONTH', 'QUARTER', 'SIX_MONTH', 'YEAR', 'TERM'];

/** `100 * a / b`, null when either is null or b is zero (DESIGN 3 rule 8). */
export function pct(a: string, b: string): string {
  return `(CASE WHEN (${a}) IS NULL OR (${b}) IS NULL OR (${b}) = 0 THEN NULL ELSE 100 * (${a}) / (${b}) END)`;
}

export function createPlanTablesStatements(): SqlStatement[] {
  return [...Object.entries(PLAN_TABLES), ...Object.entries(WORK_TABLES)].map(([name, columns]) =>
    statement(`CREATE OR REPLACE TEMP TABLE ${name} (${columnList(columns as Columns)})`),
  );
}

/**
 * Tables derived from the plan: the recorded values the query can use (`plan_facts`), which unit
 * recorded a value inside which planned period (`plan_inside`, rule 2's test and rule 4's lost
 * figures), and the recorded targets of the planned target periods (`plan_target_facts`).
 */
export function derivedTablesStatements(): SqlStatement[] {
  return [
    statement(`CREATE OR REPLACE TEMP TABLE plan_facts AS
      SELECT f.indicator, f.unit_id, f.period, f.start_month, f.end_month, f.value
      FROM ${FACT_TABLE} f
      JOIN plan_units u ON u.unit_id = f.unit_id
      JOIN plan_indicators i ON i.code = f.indicator
      WHERE f.value IS NOT NULL AND f.grain IS NOT NULL
        AND f.start_month >= (SELECT min(start_month) FROM plan_periods)
        AND f.end_month <= (SELECT max(end_month) FROM plan_periods)`),
    statement(`CREATE OR REPLACE TEMP TABLE plan_inside AS
      SELECT DISTINCT f.indicator, f.unit_id, p.code AS period
      FROM plan_facts f
      JOIN plan_periods p ON f.start_month >= p.start_month AND f.end_month <= p.end_month`),
    statement(`CREATE OR REPLACE TEMP TABLE plan_target_facts AS
      SELECT f.indicator, f.unit_id, f.period, f.target
      FROM ${FACT_TABLE} f
      JOIN plan_units u ON u.unit_id = f.unit_id AND u.valued
      JOIN plan_target_indicators i ON i.code = f.indicator
      JOIN plan_target_periods p ON p.code = f.period
      WHERE f.target IS NOT NULL`),
  ];
}

/** The stages of the units whose values are computed, in the order they are computed. */
export function stagesStatement(): SqlStatement {
  return statement(`SELECT DISTINCT u.stage FROM plan_units p JOIN ${UNIT_TABLE} u ON u.id = p.unit_id WHERE p.valued ORDER BY u.stage`);
}

/** The valued plan units of one stage ($n), with the months rule 4 compares periods with. */
function stageUnits(param: string): string {
  return `SELECT u.id, u.valid_from_month, u.first_whole_month
    FROM plan_units p JOIN ${UNIT_TABLE} u ON u.id = p.unit_id
    WHERE p.valued AND u.stage = ${param}`;
}

/**
 * One step of the value programme: every node (indicator, unit of stage $2, period of grain $1) with a
 * value or an incomplete flag. A node is, in DESIGN 3's order:
 * - OWN: the unit recorded a value for exactly the period (rule 1);
 * - BEFORE: the period ends before the unit existed; the contributions of older units (stored
 *   earlier, at this grain) times their shares, incomplete when a partly overlapping unit that cannot
 *   be split recorded anything inside the period (rule 4);
 * - SPLIT: the period starts before the unit existed (and is no month), or the unit recorded a value
 *   inside it; its direct sub-periods (stored at earlier grains) combined, FLOW by sum and STOCK by
 *   the latest part with a value (rules 2 and 4);
 * - otherwise the sum of its children (rule 3). Rather than walking down level by level, each node
 *   of the three kinds above is added to every ancestor it reaches through nodes of the fourth kind:
 *   those below its nearest ancestor that is of one of the first three kinds.
 */
export function valueStepStatement(grain: Grain, stage: number): SqlStatement {
  return statement(
    `INSERT INTO dp_value (indicator, unit_id, period, value, complete)
    WITH per AS MATERIALIZED (
      SELECT code, grain, start_month, end_month FROM plan_periods WHERE grain = $1
    ),
    su AS MATERIALIZED (${stageUnits('$2')}),
    own AS MATERIALIZED (
      SELECT f.indicator, f.unit_id, f.period, f.value, TRUE AS complete
      FROM plan_facts f JOIN su ON su.id = f.unit_id JOIN per ON per.code = f.period
    ),
    before_parts AS (
      SELECT v.indicator, c.unit_id, v.period, v.value * c.share AS value, v.complete
      FROM ${CONTRIBUTION_TABLE} c
      JOIN su ON su.id = c.unit_id
      JOIN dp_value v ON v.unit_id = c.contributor_id
      JOIN per ON per.code = v.period
      WHERE c.kind IN ('WHOLE', 'SHARE') AND per.end_month < su.valid_from_month
      UNION ALL
      SELECT i.indicator, c.unit_id, i.period, NULL::DOUBLE AS value, FALSE AS complete
      FROM ${CONTRIBUTION_TABLE} c
      JOIN su ON su.id = c.unit_id
      JOIN plan_inside i ON i.unit_id = c.contributor_id
      JOIN per ON per.code = i.period
      WHERE c.kind = 'PARTIAL' AND per.end_month < su.valid_from_month
    ),
    before AS (
      SELECT indicator, unit_id, period, sum(value) AS value, bool_and(complete) AS complete
      FROM before_parts GROUP BY indicator, unit_id, period
    ),
    split AS (
      SELECT v.indicator, v.unit_id, s.parent AS period,
        CASE WHEN any_value(ind.rule) = 'STOCK'
          THEN arg_max(v.value, s.ord) FILTER (WHERE v.value IS NOT NULL)
          ELSE sum(v.value) END AS value,
        bool_and(v.complete) AS complete
      FROM dp_value v
      JOIN su ON su.id = v.unit_id
      JOIN plan_subs s ON s.child = v.period
      JOIN per ON per.code = s.parent
      JOIN plan_indicators ind ON ind.code = v.indicator
      LEFT JOIN plan_inside i ON i.indicator = v.indicator AND i.unit_id = v.unit_id AND i.period = s.parent
      WHERE per.end_month >= su.valid_from_month
        AND ((per.start_month < su.first_whole_month AND per.grain <> 'MONTH') OR i.unit_id IS NOT NULL)
      GROUP BY v.indicator, v.unit_id, s.parent
    ),
    local AS MATERIALIZED (
      SELECT indicator, unit_id, period, value, complete FROM own
      UNION ALL
      SELECT b.indicator, b.unit_id, b.period, b.value, b.complete FROM before b
      ANTI JOIN own o ON o.indicator = b.indicator AND o.unit_id = b.unit_id AND o.period = b.period
      UNION ALL
      SELECT s.indicator, s.unit_id, s.period, s.value, s.complete FROM split s
      ANTI JOIN own o ON o.indicator = s.indicator AND o.unit_id = s.unit_id AND o.period = s.period
    ),
    lifted AS MATERIALIZED (
      SELECT l.indicator, l.unit_id, l.period, l.value, l.complete, t.ancestor_id, t.distance,
        per.grain, per.start_month, per.end_month, a.valid_from_month, a.first_whole_month
      FROM local l
      JOIN ${CLOSURE_TABLE} t ON t.descendant_id = l.unit_id AND t.distance > 0
      JOIN su a ON a.id = t.ancestor_id
      JOIN per ON per.code = l.period
    ),
    blocked AS (
      SELECT x.indicator, x.unit_id, x.period, min(x.distance) AS distance
      FROM lifted x
      LEFT JOIN plan_inside i ON i.indicator = x.indicator AND i.unit_id = x.ancestor_id AND i.period = x.period
      WHERE x.end_month < x.valid_from_month
        OR (x.start_month < x.first_whole_month AND x.grain <> 'MONTH')
        OR i.unit_id IS NOT NULL
      GROUP BY x.indicator, x.unit_id, x.period
    ),
    pushed AS (
      SELECT x.indicator, x.ancestor_id AS unit_id, x.period, sum(x.value) AS value, bool_and(x.complete) AS complete
      FROM lifted x
      LEFT JOIN blocked b ON b.indicator = x.indicator AND b.unit_id = x.unit_id AND b.period = x.period
      WHERE b.distance IS NULL OR x.distance < b.distance
      GROUP BY x.indicator, x.ancestor_id, x.period
    )
    SELECT indicator, unit_id, period, value, complete FROM local WHERE value IS NOT NULL OR NOT complete
    UNION ALL
    SELECT indicator, unit_id, period, value, complete FROM pushed WHERE value IS NOT NULL OR NOT complete`,
    [grain, stage],
  );
}

/**
 * One step of the target programme for the units of stage $1 (DESIGN 3 rule 5): a unit's own target
 * for the target period; else, for FLOW and STOCK, the contributions of older units when the target
 * period ended before the unit existed (rule 4), or the sum of its children (rule 3). A RATIO target
 * is never summed: it exists only where it was recorded.
 */
export function targetStepStatement(stage: number): SqlStatement {
  return statement(
    `INSERT INTO dp_target (indicator, unit_id, period, value)
    WITH su AS MATERIALIZED (${stageUnits('$1')}),
    own AS MATERIALIZED (
      SELECT f.indicator, f.unit_id, f.period, f.target AS value
      FROM plan_target_facts f JOIN su ON su.id = f.unit_id
    ),
    before AS (
      SELECT v.indicator, c.unit_id, v.period, sum(v.value * c.share) AS value
      FROM ${CONTRIBUTION_TABLE} c
      JOIN su ON su.id = c.unit_id
      JOIN dp_target v ON v.unit_id = c.contributor_id
      JOIN plan_target_periods per ON per.code = v.period
      JOIN plan_target_indicators ind ON ind.code = v.indicator
      WHERE c.kind IN ('WHOLE', 'SHARE') AND per.end_month < su.valid_from_month AND ind.rule <> 'RATIO'
      GROUP BY v.indicator, c.unit_id, v.period
    ),
    local AS MATERIALIZED (
      SELECT indicator, unit_id, period, value FROM own
      UNION ALL
      SELECT b.indicator, b.unit_id, b.period, b.value FROM before b
      ANTI JOIN own o ON o.indicator = b.indicator AND o.unit_id = b.unit_id AND o.period = b.period
    ),
    lifted AS MATERIALIZED (
      SELECT l.indicator, l.unit_id, l.period, l.value, t.ancestor_id, t.distance,
        per.end_month, a.valid_from_month
      FROM local l
      JOIN plan_target_indicators ind ON ind.code = l.indicator AND ind.rule <> 'RATIO'
      JOIN ${CLOSURE_TABLE} t ON t.descendant_id = l.unit_id AND t.distance > 0
      JOIN su a ON a.id = t.ancestor_id
      JOIN plan_target_periods per ON per.code = l.period
    ),
    blocked AS (
      SELECT x.indicator, x.unit_id, x.period, min(x.distance) AS distance
      FROM lifted x
      LEFT JOIN own o ON o.indicator = x.indicator AND o.unit_id = x.ancestor_id AND o.period = x.period
      WHERE x.end_month < x.valid_from_month OR o.unit_id IS NOT NULL
      GROUP BY x.indicator, x.unit_id, x.period
    ),
    pushed AS (
      SELECT x.indicator, x.ancestor_id AS unit_id, x.period, sum(x.value) AS value
      FROM lifted x
      LEFT JOIN blocked b ON b.indicator = x.indicator AND b.unit_id = x.unit_id AND b.period = x.period
      WHERE b.distance IS NULL OR x.distance < b.distance
      GROUP BY x.indicator, x.ancestor_id, x.period
    )
    SELECT indicator, unit_id, period, value FROM local WHERE value IS NOT NULL
    UNION ALL
    SELECT indicator, unit_id, period, value FROM pushed WHERE value IS NOT NULL`,
    [stage],
  );
}

const SIDES = [
  ['value', 'VALUE'],
  ['same', 'SAME'],
  ['ytd', 'YTD'],
] as const;

/**
 * The answer: each row's parts combined by the time rule (FLOW sum, STOCK latest part with a value),
 * ratios recomputed from numerator and denominator (rule 7), achievement against the target (rule 5),
 * the same period last year (rule 6); and per totals group, the rows' numerators, denominators,
 * targets and same-period values summed and the percentages recomputed from the sums. A RATIO total's
 * target is the requested unit's own target, since ratio targets are never summed.
 */
export function resultStatement(): SqlStatement {
  const pivot = SIDES.flatMap(([name, role]) =>
    (['n', 'd'] as const).map(
      (side) => `max(pv.value) FILTER (WHERE pv.role = '${role}' AND pv.side = '${side.toUpperCase()}') AS ${name}_${side}`,
    ),
  ).join(',\n        ');
  const sums = SIDES.flatMap(([name]) => (['n', 'd'] as const).map((side) => `sum(r.${name}_${side}) AS ${name}_${side}`)).join(', ');
  const combine = (name: string) => `CASE WHEN rule = 'RATIO' THEN ${pct(`${name}_n`, `${name}_d`)} ELSE ${name}_n END`;
  return statement(
    `WITH part_values AS (
      SELECT p.row_id, p.role, p.side,
        CASE WHEN any_value(p.rule) = 'STOCK'
          THEN arg_max(v.value, p.ord) FILTER (WHERE v.value IS NOT NULL)
          ELSE sum(v.value) END AS value,
        bool_and(coalesce(v.complete, TRUE)) AS complete
      FROM plan_parts p
      JOIN plan_rows r ON r.row_id = p.row_id
      LEFT JOIN dp_value v ON v.indicator = p.base AND v.unit_id = r.unit_id AND v.period = p.period
      GROUP BY p.row_id, p.role, p.side
    ),
    row_values AS MATERIALIZED (
      SELECT r.row_id, r.group_id, r.rule, r.emit,
        ${pivot},
        coalesce(bool_and(pv.complete) FILTER (WHERE pv.role = 'VALUE'), TRUE) AS complete,
        any_value(t.value) AS target
      FROM plan_rows r
      LEFT JOIN part_values pv ON pv.row_id = r.row_id
      LEFT JOIN dp_target t ON t.indicator = r.indicator AND t.unit_id = r.unit_id AND t.period = r.target_period
      GROUP BY r.row_id, r.group_id, r.rule, r.emit
    ),
    row_results AS (
      SELECT row_id, complete, target,
        ${combine('value')} AS value,
        ${combine('same')} AS same_value,
        ${combine('ytd')} AS ytd
      FROM row_values WHERE emit
    ),
    group_values AS (
      SELECT g.group_id, g.rule, ${sums},
        sum(r.target) AS target_sum,
        coalesce(bool_and(r.complete), TRUE) AS complete,
        any_value(f.target) AS own_target
      FROM plan_groups g
      LEFT JOIN row_values r ON r.group_id = g.group_id
      LEFT JOIN ${FACT_TABLE} f ON f.indicator = g.indicator AND f.unit_id = g.unit_id AND f.period = g.target_period
      GROUP BY g.group_id, g.rule
    ),
    group_results AS (
      SELECT group_id, complete,
        CASE WHEN rule = 'RATIO' THEN own_target ELSE target_sum END AS target,
        ${combine('value')} AS value,
        ${combine('same')} AS same_value,
        ${combine('ytd')} AS ytd
      FROM group_values
    )
    SELECT 'ROW' AS kind, row_id AS id, value, target, ${pct('ytd', 'target')} AS achievement_pct,
      same_value, ${pct('value', 'same_value')} AS same_pct, complete
    FROM row_results
    UNION ALL
    SELECT 'TOTAL' AS kind, group_id AS id, value, target, ${pct('ytd', 'target')} AS achievement_pct,
      same_value, ${pct('value', 'same_value')} AS same_pct, complete
    FROM group_results`,
  );
}
