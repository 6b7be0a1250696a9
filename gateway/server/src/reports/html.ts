import {
  documentNumber,
  DocumentLanguage,
  documentPercent,
  documentShare,
  DOCUMENT_WORDS,
  ReportDocument,
} from './report-query';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE = `
body { font-family: 'Times New Roman', 'DejaVu Serif', serif; max-width: 48em; margin: 2em auto; line-height: 1.5; color: #111; }
h1 { font-size: 1.35em; text-align: center; text-transform: uppercase; }
h2 { font-size: 1.1em; margin-top: 1.4em; }
p { text-align: justify; text-indent: 2em; }
p.provisional { background: #fff4d6; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin-top: 0.6em; }
th, td { border: 1px solid #999; padding: 0.25em 0.45em; }
td.num { text-align: right; }
tr.provisional td { font-style: italic; color: #555; }
.note { font-size: 0.85em; color: #444; text-indent: 0; }
@media print { body { margin: 0 auto; } p.provisional { background: none; text-decoration: underline dotted; } }
`;

/** The report as a printable HTML page: everything inline, nothing fetched. */
export function reportHtml(report: ReportDocument, lang: DocumentLanguage): string {
  const words = DOCUMENT_WORDS[lang];
  const sections = report.sections
    .map(
      (s) =>
        `<h2>${escapeHtml(s.heading)}</h2>\n${s.paragraphs.map((p) => `<p${p.provisional ? ' class="provisional"' : ''}>${escapeHtml(p.text)}</p>`).join('\n')}`,
    )
    .join('\n');
  const figures = report.sections.flatMap((s) => s.paragraphs.flatMap((p) => p.figures));
  const rows = figures
    .map(
      (f) =>
        `<tr${f.provisional ? ' class="provisional"' : ''}><td>${escapeHtml(f.key)}</td><td>${escapeHtml(f.period)}</td><td class="num">${documentNumber(f.value, lang)}</td><td class="num">${documentNumber(f.target, lang)}</td><td class="num">${documentPercent(f.achievementPct, lang)}</td><td class="num">${documentPercent(f.samePeriodPct, lang)}</td><td class="num">${documentShare(f.coverage, lang)}</td><td>${f.provisional ? words.provisional : ''}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
${sections}
<h2>${words.figures}</h2>
<table>
<thead><tr><th>${words.indicator}</th><th>${words.period}</th><th>${words.value}</th><th>${words.target}</th><th>${words.achievement}</th><th>${words.samePeriod}</th><th>${words.coverage}</th><th></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="note">${escapeHtml(words.note)}</p>
</body>
</html>
`;
}
