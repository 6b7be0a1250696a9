import { useRef, useState } from 'react';
import { PickedUnit, UnitPicker } from '../components/unit-picker';
import { getWithToken, gql } from '../lib/api';
import type { Lang } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { periodEnd } from '../lib/periods';
import { useSession } from '../lib/session';
import { download } from '../lib/table';

interface ReportAnswer {
  readonly title: string;
  readonly provisional: boolean;
  readonly sections: { key: string; heading: string; paragraphs: { text: string; provisional: boolean }[] }[];
}

const REPORT = `query Report($unit: String!, $period: String!, $lang: ReportLanguage!) {
  report(unit: $unit, period: $period, lang: $lang) { title provisional sections { key heading paragraphs { text provisional } } }
}`;

function reportPath(unit: string, period: string, lang: Lang, format?: 'docx'): string {
  return `/reports/${encodeURIComponent(unit)}/${encodeURIComponent(period)}?lang=${lang}${format ? `&format=${format}` : ''}`;
}

/** The six-month report of a unit: shown here, printable, and downloadable as a Word document. */
export function ReportPage() {
  const { token } = useSession();
  const { t, lang: uiLang } = useI18n();
  const [unit, setUnit] = useState<PickedUnit>();
  const [period, setPeriod] = useState('2025S1');
  const [lang, setLang] = useState<Lang>(uiLang);
  const [report, setReport] = useState<{ answer: ReportAnswer; unit: string; period: string; lang: Lang }>();
  const [error, setError] = useState<string>();
  const printFrame = useRef<HTMLIFrameElement>(null);

  const write = async () => {
    if (!unit) return setError(t.chooseUnit);
    setError(undefined);
    try {
      const data = await gql<{ report: ReportAnswer | null }>(token, REPORT, {
        unit: unit.code,
        period,
        lang: lang.toUpperCase(),
      });
      if (data.report) setReport({ answer: data.report, unit: unit.code, period, lang });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const print = async () => {
    if (!report || !printFrame.current) return;
    try {
      const html = await (await getWithToken(token, reportPath(report.unit, report.period, report.lang))).text();
      const frame = printFrame.current;
      frame.onload = () => frame.contentWindow?.print();
      frame.srcdoc = html;
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const openPrintable = async () => {
    if (!report) return;
    try {
      const blob = await (await getWithToken(token, reportPath(report.unit, report.period, report.lang))).blob();
      window.open(URL.createObjectURL(blob), '_blank');
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const downloadDocx = async () => {
    if (!report) return;
    try {
      const blob = await (
        await getWithToken(token, reportPath(report.unit, report.period, report.lang, 'docx'))
      ).blob();
      download(blob, `bao-cao-${report.unit}-${report.period}-${report.lang}.docx`);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section className="page" data-testid="report">
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          void write();
        }}
      >
        <label>
          {t.unit}
          <UnitPicker value={unit} asOf={periodEnd(period)} onChange={setUnit} testId="report-unit" />
        </label>
        <label>
          {t.period}
          <input name="period" value={period} onChange={(e) => setPeriod(e.target.value.trim())} size={10} />
        </label>
        <label>
          {t.language}
          <select name="lang" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            <option value="vi">Tiếng Việt</option>
            <option value="en">English</option>
          </select>
        </label>
        <button type="submit">{t.write}</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {t.errorPrefix}: {error}
        </p>
      )}
      {report && (
        <>
          <div className="toolbar">
            <button type="button" onClick={() => void print()}>
              {t.print}
            </button>
            <button type="button" onClick={() => void openPrintable()}>
              {t.openHtml}
            </button>
            <button type="button" data-testid="download-docx" onClick={() => void downloadDocx()}>
              {t.downloadDocx}
            </button>
          </div>
          <article className="report" data-testid="report-text" lang={report.lang}>
            <h2>{report.answer.title}</h2>
            {report.answer.sections.map((s) => (
              <section key={s.key}>
                <h3>{s.heading}</h3>
                {s.paragraphs.map((p, i) => (
                  <p key={i} className={p.provisional ? 'provisional' : ''}>
                    {p.text}
                  </p>
                ))}
              </section>
            ))}
          </article>
        </>
      )}
      <iframe ref={printFrame} title="print" className="print-frame" />
    </section>
  );
}
