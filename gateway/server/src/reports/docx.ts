import {
  AlignmentType,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import {
  documentNumber,
  DocumentLanguage,
  documentPercent,
  documentShare,
  DOCUMENT_WORDS,
  ReportDocument,
  ReportDocumentFigure,
} from './report-query';

function cell(text: string, bold = false): TableCell {
  return new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
}

function figureRow(f: ReportDocumentFigure, lang: DocumentLanguage): TableRow {
  return new TableRow({
    children: [
      cell(f.key),
      cell(f.period),
      cell(documentNumber(f.value, lang)),
      cell(documentNumber(f.target, lang)),
      cell(documentPercent(f.achievementPct, lang)),
      cell(documentPercent(f.samePeriodPct, lang)),
      cell(documentShare(f.coverage, lang)),
      cell(f.provisional ? DOCUMENT_WORDS[lang].provisional : ''),
    ],
  });
}

function figuresTable(report: ReportDocument, lang: DocumentLanguage): Table {
  const w = DOCUMENT_WORDS[lang];
  const figures = report.sections.flatMap((s) => s.paragraphs.flatMap((p) => p.figures));
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({
        tableHeader: true,
        children: [w.indicator, w.period, w.value, w.target, w.achievement, w.samePeriod, w.coverage, ''].map((h) =>
          cell(h, true),
        ),
      }),
      ...figures.map((f) => figureRow(f, lang)),
    ],
  });
}

/** The report as a Word document, for offices to edit: the same title, sections and figures as the HTML page. */
export async function reportDocx(report: ReportDocument, lang: DocumentLanguage): Promise<Buffer> {
  const body: (Paragraph | Table)[] = [
    new Paragraph({ text: report.title, heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER }),
  ];
  for (const section of report.sections) {
    body.push(new Paragraph({ text: section.heading, heading: HeadingLevel.HEADING_2 }));
    for (const p of section.paragraphs) {
      body.push(
        new Paragraph({
          alignment: AlignmentType.JUSTIFIED,
          indent: { firstLine: 567 },
          children: [new TextRun({ text: p.text, italics: p.provisional })],
        }),
      );
    }
  }
  body.push(
    new Paragraph({ text: DOCUMENT_WORDS[lang].figures, heading: HeadingLevel.HEADING_2 }),
    figuresTable(report, lang),
  );
  body.push(new Paragraph({ children: [new TextRun({ text: DOCUMENT_WORDS[lang].note, size: 18 })] }));
  const document = new Document({
    creator: 'Local-government reporting platform',
    title: report.title,
    styles: { default: { document: { run: { font: 'Times New Roman', size: 26 } } } },
    sections: [{ children: body }],
  });
  return Packer.toBuffer(document);
}
