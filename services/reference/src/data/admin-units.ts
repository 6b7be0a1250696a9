import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Level, LineageLink, unitVersionId, UnitVersion } from '@lgr/schema';

/**
 * The official lists carry no start dates for the units before the 2025 reform, so those versions are
 * taken as valid from the start of the platform's records; the reform's units start on 2025-07-01.
 */
export const RECORDS_START = '2000-01-01';
export const REFORM_DATE = '2025-07-01';
export const PRE_REFORM_END = '2025-06-30';

/** Thrown when a data file is missing a column or names a unit that does not exist. */
export class AdminUnitDataError extends Error {
  constructor(file: string, line: number | undefined, reason: string) {
    super(`${file}${line ? `, line ${line}` : ''}: ${reason}`);
    this.name = 'AdminUnitDataError';
  }
}

type Row = Record<string, string>;

function readCsv(dir: string, file: string, required: readonly string[]): Row[] {
  const rows = parse(readFileSync(join(dir, file)), { columns: true, bom: true, skip_empty_lines: true }) as Row[];
  for (const column of required) {
    if (rows.length && !(column in rows[0]!)) throw new AdminUnitDataError(file, 1, `missing column "${column}"`);
  }
  return rows;
}

const LEVEL_COLUMNS = ['code', 'name', 'full_name', 'full_name_en', 'unit_type'] as const;

function version(
  row: Row,
  level: Level,
  parentId: string | null,
  validFrom: string,
  validTo: string | null,
): UnitVersion {
  return {
    id: unitVersionId(row.code!, validFrom),
    code: row.code!,
    name: row.name!,
    fullName: row.full_name!,
    nameEn: row.full_name_en!,
    level,
    kind: row.unit_type!,
    parentId,
    validFrom,
    validTo,
  };
}

/**
 * Reads `data/admin-units/` (see its SOURCES.md): the 63 provinces, 696 districts and 10,035 communes
 * before the reform, the 34 provinces and 3,321 communes after it, and the lineage from old communes
 * (and the five island districts without communes) to new ones. A `partial` old unit is split equally
 * among its successors unless `lineage_weights.csv` (old_code,new_code,share) gives its shares.
 * Mapping rows for old communes missing from the pre-reform list are left out (SOURCES.md caveat 2).
 */
export function loadAdminUnits(dir: string): { units: UnitVersion[]; links: LineageLink[]; skipped: string[] } {
  const units: UnitVersion[] = [];
  const oldProvince = new Map<string, string>();
  for (const r of readCsv(dir, 'provinces_pre2025.csv', LEVEL_COLUMNS)) {
    const u = version(r, 'PROVINCE', null, RECORDS_START, PRE_REFORM_END);
    oldProvince.set(r.code!, u.id);
    units.push(u);
  }
  const oldDistrict = new Map<string, string>();
  readCsv(dir, 'districts_pre2025.csv', [...LEVEL_COLUMNS, 'parent_code']).forEach((r, i) => {
    const parent = oldProvince.get(r.parent_code!);
    if (!parent) throw new AdminUnitDataError('districts_pre2025.csv', i + 2, `unknown province ${r.parent_code}`);
    const u = version(r, 'DISTRICT', parent, RECORDS_START, PRE_REFORM_END);
    oldDistrict.set(r.code!, u.id);
    units.push(u);
  });
  const oldCommune = new Map<string, string>();
  readCsv(dir, 'wards_pre2025.csv', [...LEVEL_COLUMNS, 'parent_code']).forEach((r, i) => {
    const parent = oldDistrict.get(r.parent_code!);
    if (!parent) throw new AdminUnitDataError('wards_pre2025.csv', i + 2, `unknown district ${r.parent_code}`);
    const u = version(r, 'COMMUNE', parent, RECORDS_START, PRE_REFORM_END);
    oldCommune.set(r.code!, u.id);
    units.push(u);
  });
  const newProvince = new Map<string, string>();
  for (const r of readCsv(dir, 'provinces_2025.csv', LEVEL_COLUMNS)) {
    const u = version(r, 'PROVINCE', null, REFORM_DATE, null);
    newProvince.set(r.code!, u.id);
    units.push(u);
  }
  const newCommune = new Map<string, string>();
  readCsv(dir, 'wards_2025.csv', [...LEVEL_COLUMNS, 'parent_code']).forEach((r, i) => {
    const parent = newProvince.get(r.parent_code!);
    if (!parent) throw new AdminUnitDataError('wards_2025.csv', i + 2, `unknown province ${r.parent_code}`);
    const u = version(r, 'COMMUNE', parent, REFORM_DATE, null);
    newCommune.set(r.code!, u.id);
    units.push(u);
  });

  const weights = new Map<string, number>();
  if (existsSync(join(dir, 'lineage_weights.csv'))) {
    readCsv(dir, 'lineage_weights.csv', ['old_code', 'new_code', 'share']).forEach((r, i) => {
      const share = Number(r.share);
      if (!(share > 0 && share <= 1))
        throw new AdminUnitDataError('lineage_weights.csv', i + 2, `share "${r.share}" is not in (0, 1]`);
      weights.set(`${r.old_code}>${r.new_code}`, share);
    });
  }

  const mapping = readCsv(dir, 'ward_mapping_2025.csv', ['new_ward_code', 'old_ward_code', 'merge_type']);
  const successors = new Map<string, number>();
  for (const r of mapping) successors.set(r.old_ward_code!, (successors.get(r.old_ward_code!) ?? 0) + 1);
  const links: LineageLink[] = [];
  const skipped: string[] = [];
  mapping.forEach((r, i) => {
    const fromId = oldCommune.get(r.old_ward_code!) ?? oldDistrict.get(r.old_ward_code!);
    const toId = newCommune.get(r.new_ward_code!);
    if (!toId) throw new AdminUnitDataError('ward_mapping_2025.csv', i + 2, `unknown new commune ${r.new_ward_code}`);
    if (!fromId) {
      skipped.push(r.old_ward_code!);
      return;
    }
    if (r.merge_type !== 'full' && r.merge_type !== 'partial') {
      throw new AdminUnitDataError(
        'ward_mapping_2025.csv',
        i + 2,
        `merge_type "${r.merge_type}" is neither full nor partial`,
      );
    }
    const share =
      r.merge_type === 'full'
        ? 1
        : (weights.get(`${r.old_ward_code}>${r.new_ward_code}`) ?? 1 / successors.get(r.old_ward_code!)!);
    links.push({ fromId, toId, share });
  });
  return { units, links, skipped };
}
