import { useEffect, useMemo, useState } from 'react';
import { Chart, ChartOption } from '../components/chart';
import { PickedUnit, UnitPicker } from '../components/unit-picker';
import {
  aggregate,
  AggregateRow,
  childrenOf,
  IndicatorInfo,
  indicatorCatalogue,
  isProvisional,
} from '../lib/aggregate';
import { formatCoverage, formatPct, formatValue, Lang } from '../lib/format';
import { Messages, useI18n } from '../lib/i18n';
import { grainOf, halfYears, periodEnd } from '../lib/periods';
import { useSession } from '../lib/session';
import { download, Table, toCsv, toXlsx } from '../lib/table';

const DEFAULT_INDICATORS = ['PB_NEW_MEMBERS', 'EB_BUDGET_REV', 'EB_NONSTATE_TAX'];
/** The first day of the two-level local government: the chart marks it. */
const REFORM_DATE = '2025-07-01';

interface Selection {
  unit: PickedUnit;
  mode: 'single' | 'range';
  period: string;
  from: string;
  to: string;
  indicators: string[];
  boundariesAsOf: string;
}

interface Answer {
  readonly selection: Selection;
  readonly rows: AggregateRow[];
  readonly series: AggregateRow[];
  readonly children: string[];
}

function unitName(row: AggregateRow, lang: Lang): string {
  return lang === 'vi' ? row.unit.fullName : row.unit.nameEn;
}

/** The table as shown, for the CSV and Excel downloads. */
function shownTable(rows: readonly AggregateRow[], names: Map<string, IndicatorInfo>, t: Messages, lang: Lang): Table {
  return {
    columns: [
      t.unit,
      'code',
      t.indicator,
      t.period,
      t.value,
      t.target,
      t.achievement,
      t.samePeriod,
      t.samePeriodPct,
      t.coverage,
      t.provisional,
    ],
    rows: rows.map((r) => [
      unitName(r, lang),
      r.unit.code,
      (lang === 'vi' ? names.get(r.indicator.code)?.nameVi : names.get(r.indicator.code)?.nameEn) ?? r.indicator.code,
      r.period,
      r.value,
      r.target,
      r.achievementPct === null ? null : Math.round(r.achievementPct * 10) / 10,
      r.samePeriodValue,
      r.samePeriodPct === null ? null : Math.round(r.samePeriodPct * 10) / 10,
      r.coverage?.value ?? null,
      isProvisional(r) ? 'x' : '',
    ]),
  };
}

async function load(token: string, s: Selection): Promise<Answer> {
  const lastPeriod = s.mode === 'single' ? s.period : s.to;
  const asOf = s.boundariesAsOf || periodEnd(lastPeriod) || REFORM_DATE;
  const children = await childrenOf(token, s.unit.code, periodEnd(lastPeriod) ?? asOf);
  const periods =
    s.mode === 'single' ? { periods: [s.period] } : { from: s.from, to: s.to, grain: grainOf(s.from) ?? 'SIX_MONTH' };
  const year = Number(lastPeriod.slice(0, 4));
  const chartPeriods =
    s.mode === 'range' && grainOf(s.from) === 'SIX_MONTH'
      ? halfYears(s.from, s.to)
      : halfYears(`${year - 2}S1`, `${Math.max(year, 2025)}S2`);
  const [rows, series] = await Promise.all([
    aggregate(token, {
      indicators: s.indicators,
      units: [s.unit.code, ...children.map((c) => c.code)],
      ...periods,
      ...(s.boundariesAsOf ? { boundariesAsOf: s.boundariesAsOf } : {}),
    }),
    aggregate(token, { indicators: s.indicators, units: [s.unit.code], periods: chartPeriods, boundariesAsOf: asOf }),
  ]);
  return { selection: s, rows, series, children: children.map((c) => c.code) };
}

function seriesOption(answer: Answer, indicator: string, t: Messages, lang: Lang): ChartOption {
  const rows = answer.series.filter((r) => r.indicator.code === indicator);
  const periods = rows.map((r) => r.period);
  const reformAt = periods.findIndex((p) => (periodEnd(p) ?? '') >= REFORM_DATE);
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [t.value, t.samePeriod] },
    grid: { left: 70, right: 20, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: periods },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatValue(v, lang, 0) } },
    series: [
      {
        name: t.value,
        type: 'line',
        data: rows.map((r) => r.value),
        connectNulls: false,
        markLine:
          reformAt > 0
            ? {
                symbol: 'none',
                label: { formatter: REFORM_DATE },
                lineStyle: { type: 'dashed' },
                data: [{ xAxis: periods[reformAt] }],
              }
            : undefined,
      },
      { name: t.samePeriod, type: 'line', lineStyle: { type: 'dotted' }, data: rows.map((r) => r.samePeriodValue) },
    ],
  };
}

function rankingOf(answer: Answer, indicator: string): AggregateRow[] {
  const period = answer.selection.mode === 'single' ? answer.selection.period : answer.selection.to;
  return answer.rows
    .filter((r) => r.indicator.code === indicator && r.period === period && answer.children.includes(r.unit.code))
    .sort((a, b) => (b.achievementPct ?? -Infinity) - (a.achievementPct ?? -Infinity));
}

function rankingOption(rows: AggregateRow[], lang: Lang): ChartOption {
  const shown = [...rows].reverse();
  return {
    grid: { left: 150, right: 60, top: 10, bottom: 20 },
    xAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: shown.map((r) => unitName(r, lang)) },
    series: [
      {
        type: 'bar',
        data: shown.map((r) => r.achievementPct),
        label: { show: true, position: 'right', formatter: (p: { value: number | null }) => formatPct(p.value, lang) },
      },
    ],
  };
}

function FiguresTable(props: { rows: AggregateRow[]; names: Map<string, IndicatorInfo> }) {
  const { t, lang } = useI18n();
  return (
    <table className="figures" data-testid="figures-table">
      <thead>
        <tr>
          <th>{t.unit}</th>
          <th>{t.indicator}</th>
          <th>{t.period}</th>
          <th>{t.value}</th>
          <th>{t.target}</th>
          <th>{t.achievement}</th>
          <th>{t.samePeriod}</th>
          <th>{t.samePeriodPct}</th>
          <th>{t.coverage}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => {
          const provisional = isProvisional(r);
          const info = props.names.get(r.indicator.code);
          return (
            <tr
              key={`${r.unit.code}|${r.indicator.code}|${r.period}`}
              className={provisional ? 'provisional' : ''}
              data-unit={r.unit.code}
              data-indicator={r.indicator.code}
              data-period={r.period}
            >
              <td>{unitName(r, lang)}</td>
              <td title={r.indicator.code}>{(lang === 'vi' ? info?.nameVi : info?.nameEn) ?? r.indicator.code}</td>
              <td>{r.period}</td>
              <td className="num" data-field="value">
                {formatValue(r.value, lang)}
              </td>
              <td className="num" data-field="target">
                {formatValue(r.target, lang)}
              </td>
              <td className="num" data-field="achievementPct">
                {formatPct(r.achievementPct, lang)}
              </td>
              <td className="num" data-field="samePeriodValue">
                {formatValue(r.samePeriodValue, lang)}
              </td>
              <td className="num" data-field="samePeriodPct">
                {formatPct(r.samePeriodPct, lang)}
              </td>
              <td className="num" data-field="coverage">
                {formatCoverage(r.coverage?.value, lang)}
                {provisional && <span className="badge">{t.provisional}</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The dashboard: a unit, a period or a range and indicators; the table, the chart across the reform, the ranking. */
export function Dashboard() {
  const { token } = useSession();
  const { t, lang } = useI18n();
  const [catalogue, setCatalogue] = useState<IndicatorInfo[]>([]);
  const [unit, setUnit] = useState<PickedUnit>();
  const [mode, setMode] = useState<'single' | 'range'>('single');
  const [period, setPeriod] = useState('2025S1');
  const [from, setFrom] = useState('2024S1');
  const [to, setTo] = useState('2025S2');
  const [indicators, setIndicators] = useState<string[]>(DEFAULT_INDICATORS);
  const [boundariesAsOf, setBoundariesAsOf] = useState('');
  const [chartIndicator, setChartIndicator] = useState(DEFAULT_INDICATORS[0]!);
  const [answer, setAnswer] = useState<Answer>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    indicatorCatalogue(token).then(setCatalogue, (e: Error) => setError(e.message));
  }, [token]);
  const names = useMemo(() => new Map(catalogue.map((i) => [i.code, i])), [catalogue]);

  const show = async () => {
    if (!unit) return setError(t.chooseUnit);
    setBusy(true);
    setError(undefined);
    try {
      const next = await load(token, { unit, mode, period, from, to, indicators, boundariesAsOf });
      setAnswer(next);
      if (!indicators.includes(chartIndicator)) setChartIndicator(indicators[0]!);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const table = answer ? shownTable(answer.rows, names, t, lang) : undefined;
  const fileName = answer
    ? `${answer.selection.unit.code}-${answer.selection.mode === 'single' ? answer.selection.period : `${answer.selection.from}-${answer.selection.to}`}`
    : 'figures';
  const ranking = answer ? rankingOf(answer, chartIndicator) : [];

  return (
    <section className="page" data-testid="dashboard">
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          void show();
        }}
      >
        <label>
          {t.unit}
          <UnitPicker
            value={unit}
            asOf={periodEnd(mode === 'single' ? period : to)}
            onChange={setUnit}
            testId="dashboard-unit"
          />
        </label>
        <fieldset>
          <label>
            <input type="radio" checked={mode === 'single'} onChange={() => setMode('single')} /> {t.single}
          </label>
          <label>
            <input type="radio" checked={mode === 'range'} onChange={() => setMode('range')} /> {t.range}
          </label>
          {mode === 'single' ? (
            <input
              aria-label={t.period}
              name="period"
              value={period}
              onChange={(e) => setPeriod(e.target.value.trim())}
              size={10}
            />
          ) : (
            <>
              <input
                aria-label={t.from}
                name="from"
                value={from}
                onChange={(e) => setFrom(e.target.value.trim())}
                size={8}
              />
              –
              <input aria-label={t.to} name="to" value={to} onChange={(e) => setTo(e.target.value.trim())} size={8} />
            </>
          )}
        </fieldset>
        <label>
          {t.boundariesAsOf}
          <input
            type="date"
            name="boundariesAsOf"
            value={boundariesAsOf}
            onChange={(e) => setBoundariesAsOf(e.target.value)}
          />
        </label>
        <label className="indicators">
          {t.indicators}
          <select
            multiple
            name="indicators"
            value={indicators}
            onChange={(e) => setIndicators([...e.target.selectedOptions].map((o) => o.value))}
            size={6}
          >
            {catalogue.map((i) => (
              <option key={i.code} value={i.code}>
                {lang === 'vi' ? i.nameVi : i.nameEn} ({i.code})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || !indicators.length}>
          {busy ? t.loading : t.show}
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {t.errorPrefix}: {error}
        </p>
      )}
      {answer && table && (
        <>
          <div className="toolbar">
            <button
              type="button"
              data-testid="download-csv"
              onClick={() => download(new Blob([toCsv(table)], { type: 'text/csv;charset=utf-8' }), `${fileName}.csv`)}
            >
              {t.downloadCsv}
            </button>
            <button
              type="button"
              data-testid="download-xlsx"
              onClick={() => void toXlsx(table, fileName).then((blob) => download(blob, `${fileName}.xlsx`))}
            >
              {t.downloadXlsx}
            </button>
            <span className="muted">{t.provisionalNote}</span>
          </div>
          <FiguresTable rows={answer.rows} names={names} />
          <div className="charts">
            <div>
              <h3>
                {t.chart}{' '}
                <select
                  aria-label={t.indicator}
                  value={chartIndicator}
                  onChange={(e) => setChartIndicator(e.target.value)}
                >
                  {answer.selection.indicators.map((code) => (
                    <option key={code} value={code}>
                      {(lang === 'vi' ? names.get(code)?.nameVi : names.get(code)?.nameEn) ?? code}
                    </option>
                  ))}
                </select>
              </h3>
              <Chart option={seriesOption(answer, chartIndicator, t, lang)} testId="series-chart" />
            </div>
            <div>
              <h3>{t.ranking}</h3>
              {ranking.length ? (
                <>
                  <Chart
                    option={rankingOption(ranking, lang)}
                    height={Math.max(160, ranking.length * 28 + 40)}
                    testId="ranking-chart"
                  />
                  <ol className="ranking" data-testid="ranking">
                    {ranking.map((r) => (
                      <li key={r.unit.code}>
                        {unitName(r, lang)}: {formatPct(r.achievementPct, lang)}
                      </li>
                    ))}
                  </ol>
                </>
              ) : (
                <p className="muted">{t.noChildren}</p>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
