import { between, DemoRecordsContext, haiPhongTerritory, SyntheticRow, upsertRecords } from '@lgr/observations';
import { parsePeriod, UnitVersion } from '@lgr/schema';
import {
  CongressStatus,
  PartyCongress,
  PartyOrganisation,
  PartyOrganisationKind,
  ResolutionTarget,
  ResolutionTargetStatus,
} from './entities';

/** The report's unit: "16/16 targets of the Congress Resolution, of which 05 outstandingly". */
export const REPORT_UNIT_CODE = '304';
export const REPORT_OUTSTANDING_TARGETS = 5;

/**
 * Generic titles of Congress-resolution targets. The report counts its targets but does not list
 * them, so these titles are illustrative for every unit, Ngô Quyền included.
 */
export const TARGET_TITLES = [
  'Tốc độ tăng trưởng giá trị sản xuất bình quân',
  'Thu ngân sách nhà nước trên địa bàn',
  'Thu thuế ngoài quốc doanh',
  'Giải ngân vốn đầu tư công',
  'Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn',
  'Tỷ lệ hồ sơ nộp trực tuyến',
  'Tỷ lệ hộ nghèo, hộ cận nghèo',
  'Tỷ lệ dân số tham gia bảo hiểm y tế',
  'Giải quyết việc làm mới',
  'Tỷ lệ hộ gia đình văn hóa',
  'Hoàn thành chỉ tiêu giao quân',
  'Kiềm chế, giảm tai nạn giao thông',
  'Tỷ lệ điều tra khám phá án',
  'Kết nạp đảng viên mới',
  'Tỷ lệ tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên',
  'Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên',
  'Số nghị quyết chuyên đề ban hành',
  'Tỷ lệ thu gom, xử lý rác thải sinh hoạt',
];

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A day inside a half-year, fixed by the key. */
function dayIn(period: string, key: string): string {
  const p = parsePeriod(period);
  return addDays(p.start, Math.floor(between(key, 0, 175)));
}

function partyBody(unit: UnitVersion): string {
  return `Đảng bộ ${unit.fullName}`;
}

function valuesOf(rows: readonly SyntheticRow[], indicator: string): SyntheticRow[] {
  return rows.filter((r) => r.indicator === indicator);
}

/**
 * The Party building demo records, consistent with the demo figures: a committee for every unit of
 * the territory (the new communes' committees established on 2025-07-01), one new grassroots
 * organisation per PB_ORGS_ESTABLISHED, one congress per PB_CONGRESSES_HELD (and a planned one for
 * each planned but not held), and the Congress-resolution targets of PB_RESOLUTION_TARGETS_MET with
 * their status (Ngô Quyền's 5 outstanding as in the report). Names and dates other than the report's
 * counts are illustrative (synthetic).
 */
export async function seedPartyRecords(ctx: DemoRecordsContext): Promise<Record<string, number>> {
  const { catalog, rows, em } = ctx;
  const territory = haiPhongTerritory(catalog);

  const organisations: Partial<PartyOrganisation>[] = [];
  for (const d of territory.oldDistricts)
    organisations.push({
      unitId: d.id,
      name: partyBody(d),
      kind: PartyOrganisationKind.DISTRICT_COMMITTEE,
      established: null,
    });
  for (const c of territory.oldLeaves.filter((u) => u.level === 'COMMUNE')) {
    organisations.push({
      unitId: c.id,
      name: partyBody(c),
      kind: PartyOrganisationKind.COMMUNE_COMMITTEE,
      established: null,
    });
  }
  for (const c of territory.newCommunes) {
    organisations.push({
      unitId: c.id,
      name: partyBody(c),
      kind: PartyOrganisationKind.COMMUNE_COMMITTEE,
      established: c.validFrom,
    });
  }
  for (const r of valuesOf(rows, 'PB_ORGS_ESTABLISHED')) {
    for (let k = 1; k <= (r.value ?? 0); k++) {
      organisations.push({
        unitId: r.unitId,
        name: `Tổ chức cơ sở đảng thành lập mới ${r.period} số ${String(k).padStart(2, '0')}`,
        kind: PartyOrganisationKind.GRASSROOTS,
        established: dayIn(r.period, `org|${r.unitId}|${r.period}|${k}`),
      });
    }
  }

  const congresses: Partial<PartyCongress>[] = [];
  const held = valuesOf(rows, 'PB_CONGRESSES_HELD');
  const heldByUnitYear = new Map<string, number>();
  for (const r of held.filter((r) => r.value !== null)) {
    const year = r.period.slice(0, 4);
    const many =
      held.filter((x) => x.unitId === r.unitId && x.period.startsWith(year)).reduce((s, x) => s + (x.value ?? 0), 0) >
      1;
    const unit = catalog.get(r.unitId)!;
    const before = heldByUnitYear.get(`${r.unitId}|${year}`) ?? 0;
    for (let k = 1; k <= r.value!; k++) {
      const n = before + k;
      const heldDate = dayIn(r.period, `congress|${r.unitId}|${r.period}|${k}`);
      congresses.push({
        unitId: r.unitId,
        termCode: `${year}-${Number(year) + 5}`,
        body: many ? `Đại hội chi bộ, đảng bộ cơ sở số ${String(n).padStart(2, '0')}` : `Đại hội ${partyBody(unit)}`,
        plannedDate: addDays(heldDate, -Math.floor(between(`congress-plan|${r.unitId}|${n}`, 0, 20))),
        heldDate,
        status: CongressStatus.HELD,
      });
    }
    heldByUnitYear.set(`${r.unitId}|${year}`, before + r.value!);
  }
  for (const t of held.filter((r) => r.target !== null)) {
    const done = heldByUnitYear.get(`${t.unitId}|${t.period}`) ?? 0;
    for (let n = done + 1; n <= t.target!; n++) {
      congresses.push({
        unitId: t.unitId,
        termCode: `${t.period}-${Number(t.period) + 5}`,
        body: `Đại hội chi bộ, đảng bộ cơ sở số ${String(n).padStart(2, '0')}`,
        plannedDate: `${t.period}-12-15`,
        heldDate: null,
        status: CongressStatus.PLANNED,
      });
    }
  }

  const targets: Partial<ResolutionTarget>[] = [];
  for (const r of valuesOf(rows, 'PB_RESOLUTION_TARGETS_MET')) {
    const total = r.target ?? r.value ?? 0;
    const met = Math.min(total, r.value ?? 0);
    const unit = catalog.get(r.unitId)!;
    const outstanding =
      unit.code === REPORT_UNIT_CODE && r.period === '2020-2025'
        ? REPORT_OUTSTANDING_TARGETS
        : Math.floor(between(`outstanding|${r.unitId}|${r.period}`, 0, met / 3));
    for (let k = 1; k <= total; k++) {
      targets.push({
        unitId: r.unitId,
        termCode: r.period,
        ordinal: k,
        title: TARGET_TITLES[(k - 1) % TARGET_TITLES.length]!,
        status:
          k <= outstanding
            ? ResolutionTargetStatus.OUTSTANDING
            : k <= met
              ? ResolutionTargetStatus.COMPLETED
              : ResolutionTargetStatus.NOT_COMPLETED,
      });
    }
  }

  return {
    partyOrganisations: await upsertRecords(em, PartyOrganisation, organisations, ['unitId', 'name']),
    partyCongresses: await upsertRecords(em, PartyCongress, congresses, ['unitId', 'termCode', 'body']),
    resolutionTargets: await upsertRecords(em, ResolutionTarget, targets, ['unitId', 'termCode', 'ordinal']),
  };
}
