import { useEffect, useState } from 'react';
import { PickedUnit, UnitPicker } from '../components/unit-picker';
import { IndicatorInfo, indicatorCatalogue } from '../lib/aggregate';
import { formatCoverage, formatValue } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { periodEnd } from '../lib/periods';
import { reportingStatus, ReportingStatus as Status } from '../lib/reporting';
import { useSession } from '../lib/session';

/** Reporting status: which units inside a unit have not reported an indicator for a period. */
export function ReportingStatus() {
  const { token } = useSession();
  const { t, lang } = useI18n();
  const [catalogue, setCatalogue] = useState<IndicatorInfo[]>([]);
  const [unit, setUnit] = useState<PickedUnit>();
  const [period, setPeriod] = useState('2025S1');
  const [indicator, setIndicator] = useState('PB_NEW_MEMBERS');
  const [level, setLevel] = useState('COMMUNE');
  const [status, setStatus] = useState<Status>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    indicatorCatalogue(token).then(setCatalogue, (e: Error) => setError(e.message));
  }, [token]);

  const show = async () => {
    if (!unit) return setError(t.chooseUnit);
    setError(undefined);
    try {
      setStatus(await reportingStatus(token, { indicator, unit: unit.code, period, level }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  // Not reported: nothing at all (missing is not zero), or only part of the period's months.
  const missing = status ? [...status.missing, ...status.partial] : [];

  return (
    <section className="page" data-testid="status">
      <p className="muted">{t.statusIntro}</p>
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          void show();
        }}
      >
        <label>
          {t.unit}
          <UnitPicker value={unit} asOf={periodEnd(period)} onChange={setUnit} testId="status-unit" />
        </label>
        <label>
          {t.period}
          <input name="period" value={period} onChange={(e) => setPeriod(e.target.value.trim())} size={10} />
        </label>
        <label>
          {t.indicator}
          <select name="indicator" value={indicator} onChange={(e) => setIndicator(e.target.value)}>
            {catalogue.map((i) => (
              <option key={i.code} value={i.code}>
                {lang === 'vi' ? i.nameVi : i.nameEn}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.level}
          <select name="level" value={level} onChange={(e) => setLevel(e.target.value)}>
            <option value="DISTRICT">DISTRICT</option>
            <option value="COMMUNE">COMMUNE</option>
          </select>
        </label>
        <button type="submit">{t.show}</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {t.errorPrefix}: {error}
        </p>
      )}
      {status && (
        <>
          <p data-testid="status-summary">
            {t.notReported}: {missing.length} / {status.expected}
          </p>
          <p data-testid="status-rate">
            {t.reportingRate}: {formatCoverage(status.rate, lang)} · {t.coverage}:{' '}
            {formatCoverage(status.coverage, lang)}
          </p>
          {missing.length === 0 ? (
            <p>{t.allReported}</p>
          ) : (
            <table className="figures" data-testid="status-table">
              <thead>
                <tr>
                  <th>{t.unit}</th>
                  <th>code</th>
                  <th>{t.value}</th>
                  <th>{t.coverage}</th>
                </tr>
              </thead>
              <tbody>
                {missing.map((r) => (
                  <tr key={r.unit.code} className="provisional">
                    <td>{lang === 'vi' ? r.unit.fullName : r.unit.nameEn}</td>
                    <td>{r.unit.code}</td>
                    <td className="num">{formatValue(r.value, lang)}</td>
                    <td className="num">{formatCoverage(r.coverage, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
