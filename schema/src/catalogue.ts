import type { Grain } from './periods';

/** Which subgraph owns an indicator's figures. */
export type Domain = 'PARTY' | 'ECONOMY' | 'SOCIAL';
export const DOMAINS: readonly Domain[] = ['PARTY', 'ECONOMY', 'SOCIAL'];

/**
 * How figures combine (DESIGN 3): FLOW sums over time and units, STOCK sums over units and takes the
 * end-of-period value over time, RATIO is recomputed as 100 x numerator / denominator.
 */
export type Rule = 'FLOW' | 'STOCK' | 'RATIO';

/** Whether more of an indicator is better (admissions, revenue) or less (near-poor households, crimes). */
export type Direction = 'HIGHER' | 'LOWER';

export interface Indicator {
  readonly code: string;
  readonly nameVi: string;
  readonly nameEn: string;
  readonly domain: Domain;
  /** Unit of measure of a value (a RATIO's value is a percentage). */
  readonly measure: string;
  readonly rule: Rule;
  readonly numerator?: string;
  readonly denominator?: string;
  /** The period a target is set for (YEAR or TERM); absent when the indicator takes no target. */
  readonly targetGrain?: Extract<Grain, 'YEAR' | 'TERM'>;
  /** Which way is better: a HIGHER indicator meets its target at or above it, a LOWER one at or below (a ceiling). */
  readonly direction: Direction;
  readonly notes?: string;
}

/**
 * The indicators where less is better (the `better` column of `data/indicator-catalogue.csv`): their
 * targets are ceilings.
 */
const LOWER_IS_BETTER: ReadonlySet<string> = new Set([
  'SS_POOR_HH',
  'SS_POOR_RATE',
  'SS_NEAR_POOR_HH',
  'SS_NEAR_POOR_RATE',
  'DF_CRIME_CASES',
  'DF_TRAFFIC_ACC',
  'DF_TRAFFIC_DEATHS',
  'DF_TRAFFIC_INJURED',
  'DF_FIRES',
]);

type Row = [
  code: string,
  nameVi: string,
  nameEn: string,
  measure: string,
  rule: Rule,
  target: 'YEAR' | 'TERM' | '',
  notes?: string,
  num?: string,
  den?: string,
];

const PARTY: Row[] = [
  [
    'PB_NEW_MEMBERS',
    'Kết nạp đảng viên mới',
    'New Party members admitted',
    'persons',
    'FLOW',
    'YEAR',
    "'kết nạp 254/271, đạt 93,7% chỉ tiêu năm'; the plan (PB_NEW_MEMBERS_PLAN) is this indicator's target",
  ],
  [
    'PB_MEMBERS_CONFIRMED',
    'Công nhận đảng viên chính thức',
    'Probationary members confirmed as full members',
    'persons',
    'FLOW',
    '',
  ],
  ['PB_MEMBERS_TOTAL', 'Tổng số đảng viên (cuối kỳ)', 'Total Party members (end of period)', 'persons', 'STOCK', ''],
  ['PB_BADGES', 'Trao Huy hiệu Đảng', 'Party badges awarded (30-75 years)', 'persons', 'FLOW', ''],
  [
    'PB_ORGS_ESTABLISHED',
    'Thành lập mới tổ chức đảng',
    'New Party organisations established',
    'organisations',
    'FLOW',
    'YEAR',
  ],
  [
    'PB_ORGS_TOTAL',
    'Tổng số tổ chức đảng trực thuộc',
    'Subordinate Party organisations (end of period)',
    'organisations',
    'STOCK',
    '',
  ],
  [
    'PB_CONGRESSES_HELD',
    'Số đại hội chi bộ/đảng bộ cơ sở đã tổ chức',
    'Grassroots Party congresses held',
    'congresses',
    'FLOW',
    'YEAR',
    'congresses for a new term are held in the year before it starts; the target is the number planned for that year',
  ],
  [
    'PB_RESOLUTION_TARGETS_MET',
    'Chỉ tiêu Nghị quyết Đại hội hoàn thành',
    'Congress-resolution targets completed',
    'targets',
    'STOCK',
    'TERM',
    'recorded for the term code; the target is the number of targets in the resolution',
  ],
  [
    'PB_THEMATIC_RESOLUTIONS',
    'Nghị quyết chuyên đề ban hành',
    'Thematic resolutions issued',
    'documents',
    'FLOW',
    'TERM',
  ],
  [
    'PB_RESOLUTIONS_ISSUED',
    'Nghị quyết, chỉ thị, kết luận, kế hoạch ban hành',
    'Resolutions, directives, conclusions issued',
    'documents',
    'FLOW',
    '',
  ],
  ['PB_INSPECTIONS', 'Kiểm tra theo chương trình', 'Programmed inspections', 'cases', 'FLOW', 'YEAR'],
  ['PB_SUPERVISIONS', 'Giám sát chuyên đề', 'Thematic supervisions', 'cases', 'FLOW', 'YEAR'],
  [
    'PB_INSPECT_VIOLATION',
    'Kiểm tra khi có dấu hiệu vi phạm',
    'Inspections on signs of violation',
    'cases',
    'FLOW',
    '',
  ],
  ['PB_DISCIPLINE_MEMBERS', 'Thi hành kỷ luật đảng viên', 'Party members disciplined', 'persons', 'FLOW', ''],
  ['PB_DISCIPLINE_ORGS', 'Kỷ luật tổ chức đảng', 'Party organisations disciplined', 'organisations', 'FLOW', ''],
  [
    'PB_ORGS_RATED',
    'Tổ chức cơ sở đảng được đánh giá',
    'Grassroots Party organisations rated',
    'organisations',
    'STOCK',
    '',
  ],
  [
    'PB_ORGS_RATED_GOOD',
    'Tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên',
    "Party organisations rated 'good' or better",
    'organisations',
    'STOCK',
    '',
  ],
  [
    'PB_ORG_RATED_GOOD_PCT',
    'Tỷ lệ TCCS đảng hoàn thành tốt nhiệm vụ trở lên',
    "Share of Party organisations rated 'good' or better",
    '%',
    'RATIO',
    'YEAR',
    'annual rating',
    'PB_ORGS_RATED_GOOD',
    'PB_ORGS_RATED',
  ],
  ['PB_MEMBERS_RATED', 'Đảng viên được đánh giá', 'Party members rated', 'persons', 'STOCK', ''],
  [
    'PB_MEMBERS_RATED_GOOD',
    'Đảng viên hoàn thành tốt nhiệm vụ trở lên',
    "Party members rated 'good' or better",
    'persons',
    'STOCK',
    '',
  ],
  [
    'PB_MEMBER_RATED_GOOD_PCT',
    'Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên',
    "Share of members rated 'good' or better",
    '%',
    'RATIO',
    'YEAR',
    'annual rating',
    'PB_MEMBERS_RATED_GOOD',
    'PB_MEMBERS_RATED',
  ],
];

const ECONOMY: Row[] = [
  [
    'EB_BUDGET_REV',
    'Tổng thu NSNN trên địa bàn',
    'State budget revenue collected in the area',
    'VND million',
    'FLOW',
    'YEAR',
    'the assigned estimate (dự toán) is the target; % of the same period is computed, not recorded',
  ],
  [
    'EB_NONSTATE_TAX',
    'Thu thuế công thương nghiệp ngoài quốc doanh',
    'Non-state sector tax revenue',
    'VND million',
    'FLOW',
    'YEAR',
  ],
  ['EB_LAND_REV', 'Thu tiền sử dụng đất', 'Land-use fee revenue', 'VND million', 'FLOW', 'YEAR'],
  ['EB_BUDGET_EXP', 'Chi ngân sách địa phương', 'Local budget expenditure', 'VND million', 'FLOW', 'YEAR'],
  [
    'EB_PUBLIC_INV_DISB',
    'Giải ngân vốn đầu tư công',
    'Public investment disbursed',
    'VND million',
    'FLOW',
    'YEAR',
    'the capital plan is the target',
  ],
  ['EB_PROD_VALUE', 'Tổng giá trị sản xuất', 'Gross production value', 'VND billion', 'FLOW', 'YEAR'],
  [
    'AR_TTHC_RECEIVED',
    'Hồ sơ TTHC tiếp nhận',
    'Administrative procedure applications received',
    'applications',
    'FLOW',
    '',
  ],
  [
    'AR_TTHC_RESOLVED',
    'Hồ sơ TTHC đã giải quyết',
    'Administrative procedure applications resolved',
    'applications',
    'FLOW',
    '',
  ],
  [
    'AR_TTHC_ONTIME',
    'Hồ sơ TTHC giải quyết đúng hạn, trước hạn',
    'Applications resolved on time',
    'applications',
    'FLOW',
    '',
  ],
  [
    'AR_TTHC_ONTIME_PCT',
    'Tỷ lệ hồ sơ giải quyết đúng hạn/trước hạn',
    'On-time resolution rate',
    '%',
    'RATIO',
    'YEAR',
    undefined,
    'AR_TTHC_ONTIME',
    'AR_TTHC_RESOLVED',
  ],
  ['DX_ONLINE_APPL', 'Hồ sơ nộp trực tuyến', 'Applications submitted online', 'applications', 'FLOW', ''],
  [
    'DX_ONLINE_APPL_PCT',
    'Tỷ lệ hồ sơ nộp trực tuyến',
    'Online application rate',
    '%',
    'RATIO',
    'YEAR',
    undefined,
    'DX_ONLINE_APPL',
    'AR_TTHC_RECEIVED',
  ],
  [
    'DX_PROC_OFFERED',
    'Thủ tục hành chính đang cung cấp',
    'Administrative procedures offered',
    'procedures',
    'STOCK',
    '',
  ],
  [
    'DX_PROC_FULL_ONLINE',
    'TTHC cung cấp DVC trực tuyến toàn trình',
    'Procedures offered fully online',
    'procedures',
    'STOCK',
    '',
  ],
  [
    'DX_FULL_ONLINE_SVC_PCT',
    'Tỷ lệ TTHC cung cấp DVC trực tuyến toàn trình',
    'Share of procedures offered fully online',
    '%',
    'RATIO',
    'YEAR',
    'set mostly by province; never averaged',
    'DX_PROC_FULL_ONLINE',
    'DX_PROC_OFFERED',
  ],
  ['DX_RECORDS_DIGITISED', 'Hồ sơ, kết quả TTHC được số hóa', 'Records and results digitised', 'records', 'FLOW', ''],
  [
    'DX_DIGITIZED_PCT',
    'Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC',
    'Digitisation rate of records/results',
    '%',
    'RATIO',
    'YEAR',
    undefined,
    'DX_RECORDS_DIGITISED',
    'AR_TTHC_RESOLVED',
  ],
];

const SOCIAL: Row[] = [
  ['SS_HOUSEHOLDS', 'Tổng số hộ dân cư', 'Total households', 'households', 'STOCK', ''],
  ['SS_POOR_HH', 'Số hộ nghèo', 'Poor households', 'households', 'STOCK', 'YEAR', 'stock at the review date'],
  [
    'SS_POOR_RATE',
    'Tỷ lệ hộ nghèo',
    'Poverty rate',
    '%',
    'RATIO',
    'YEAR',
    'recomputed, never averaged',
    'SS_POOR_HH',
    'SS_HOUSEHOLDS',
  ],
  ['SS_NEAR_POOR_HH', 'Số hộ cận nghèo', 'Near-poor households', 'households', 'STOCK', 'YEAR'],
  [
    'SS_NEAR_POOR_RATE',
    'Tỷ lệ hộ cận nghèo',
    'Near-poverty rate',
    '%',
    'RATIO',
    'YEAR',
    undefined,
    'SS_NEAR_POOR_HH',
    'SS_HOUSEHOLDS',
  ],
  ['SS_POPULATION', 'Dân số trung bình', 'Population', 'persons', 'STOCK', ''],
  ['SS_HI_INSURED', 'Số người tham gia BHYT', 'Persons with health insurance', 'persons', 'STOCK', 'YEAR'],
  [
    'SS_HI_COVERAGE_PCT',
    'Tỷ lệ bao phủ BHYT',
    'Health insurance coverage',
    '%',
    'RATIO',
    'YEAR',
    undefined,
    'SS_HI_INSURED',
    'SS_POPULATION',
  ],
  ['SS_JOBS_CREATED', 'Giải quyết việc làm mới', 'New jobs created', 'persons', 'FLOW', 'YEAR'],
  [
    'DF_MIL_RECRUITS',
    'Giao quân (nhập ngũ QĐ + CAND)',
    'Military and police conscripts delivered',
    'persons',
    'FLOW',
    'YEAR',
    'the quota (chỉ tiêu giao quân) is the target',
  ],
  ['DF_CRIME_CASES', 'Số vụ phạm tội về trật tự xã hội', 'Social-order crime cases', 'cases', 'FLOW', ''],
  ['DF_CRIME_SOLVED', 'Số vụ phạm tội được điều tra khám phá', 'Crime cases solved', 'cases', 'FLOW', ''],
  [
    'DF_CRIME_SOLVED_PCT',
    'Tỷ lệ điều tra khám phá án',
    'Crime clearance rate',
    '%',
    'RATIO',
    'YEAR',
    undefined,
    'DF_CRIME_SOLVED',
    'DF_CRIME_CASES',
  ],
  ['DF_TRAFFIC_ACC', 'Số vụ tai nạn giao thông', 'Traffic accidents', 'cases', 'FLOW', ''],
  ['DF_TRAFFIC_DEATHS', 'Số người chết do tai nạn giao thông', 'Traffic accident deaths', 'persons', 'FLOW', ''],
  [
    'DF_TRAFFIC_INJURED',
    'Số người bị thương do tai nạn giao thông',
    'Traffic accident injuries',
    'persons',
    'FLOW',
    '',
  ],
  ['DF_FIRES', 'Số vụ cháy nổ', 'Fires and explosions', 'cases', 'FLOW', ''],
  [
    'CS_EVENTS',
    'Hoạt động văn hóa, văn nghệ, TDTT tổ chức',
    'Culture and sports events held',
    'events',
    'FLOW',
    'YEAR',
  ],
  ['CS_CULTURAL_FAMILIES', 'Hộ gia đình văn hóa', "'Cultured family' households", 'households', 'STOCK', ''],
  [
    'CS_CULTURAL_FAMILY_PCT',
    'Tỷ lệ hộ gia đình văn hóa',
    "Share of 'cultured family' households",
    '%',
    'RATIO',
    'YEAR',
    undefined,
    'CS_CULTURAL_FAMILIES',
    'SS_HOUSEHOLDS',
  ],
  [
    'CS_POLICY_GIFTS',
    'Thăm hỏi, tặng quà gia đình chính sách',
    'Gifts to policy and poor families',
    'gifts',
    'FLOW',
    '',
  ],
];

function build(domain: Domain, rows: Row[]): Indicator[] {
  return rows.map(([code, nameVi, nameEn, measure, rule, target, notes, numerator, denominator]) => ({
    code,
    nameVi,
    nameEn,
    domain,
    measure,
    rule,
    direction: LOWER_IS_BETTER.has(code) ? 'LOWER' : 'HIGHER',
    ...(target ? { targetGrain: target } : {}),
    ...(notes ? { notes } : {}),
    ...(numerator ? { numerator, denominator: denominator! } : {}),
  }));
}

/**
 * The indicator catalogue, from the researched list in `data/indicator-catalogue.csv`. Rows that were
 * only a target or a baseline of another indicator (plans, estimates, quotas, last year's revenue) are
 * that indicator's target or its computed same-period value here, not indicators of their own; ratio
 * indicators got count indicators for their numerators and denominators.
 */
export const INDICATORS: readonly Indicator[] = [
  ...build('PARTY', PARTY),
  ...build('ECONOMY', ECONOMY),
  ...build('SOCIAL', SOCIAL),
];

const BY_CODE = new Map(INDICATORS.map((i) => [i.code, i]));

export function findIndicator(code: string): Indicator | undefined {
  return BY_CODE.get(code);
}

export function indicatorsOfDomain(domain: Domain): Indicator[] {
  return INDICATORS.filter((i) => i.domain === domain);
}

/** Whether `value` meets `target` for an indicator of this direction (a LOWER indicator's target is a ceiling); null when either is missing. */
export function meetsTarget(direction: Direction, value: number | null, target: number | null): boolean | null {
  if (value === null || target === null) return null;
  return direction === 'LOWER' ? value <= target : value >= target;
}
