import { printSubgraphSdl } from '@lgr/kit';
import { askSubgraph, testCatalog, viewerOf } from '@lgr/observations/testing/helpers';
import { demoDataSuite, domainSubgraphSuite } from '@lgr/observations/testing/suite';
import { DEFAULT_UNITS_DIR, loadAdminUnits } from '@lgr/reference';
import { buildPartySchema, REPORT_OUTSTANDING_TARGETS, start } from '..';

const catalog = () => testCatalog(loadAdminUnits, DEFAULT_UNITS_DIR);

domainSubgraphSuite({
  domain: 'PARTY',
  start,
  catalog,
  recordFields:
    'partyOrganisations { name } partyCongresses(term: "2025-2030") { body } congressResolutionTargets(term: "2020-2025") { summary { total } }',
  recordKinds: 3,
});

const RECORDS = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on AdminUnit {
  partyFigures(period: "2025S1") { indicator { code } value }
  plan: partyFigures(period: "2025") { indicator { code } target }
  partyOrganisations { name kind established }
  partyCongresses(term: "2025-2030") { body status plannedDate heldDate term { code } }
  congressResolutionTargets(term: "2020-2025") { term { code } summary { total completed outstanding notCompleted } items { ordinal title status } }
} } }`;

demoDataSuite({
  domain: 'PARTY',
  start,
  catalog,
  checkRecords: async (service) => {
    const answer = await askSubgraph(service.url, RECORDS, {
      reps: [{ __typename: 'AdminUnit', id: '304@2000-01-01' }],
    });
    expect(answer.errors).toBeUndefined();
    const unit = answer.data!._entities[0];
    const value = (code: string) => unit.partyFigures.find((f: any) => f.indicator.code === code)?.value;
    const target = (code: string) => unit.plan.find((f: any) => f.indicator.code === code)?.target;
    // "completed 16/16 targets of the Congress Resolution, of which 05 outstandingly"
    expect(unit.congressResolutionTargets.summary).toEqual({
      total: 16,
      completed: 16,
      outstanding: REPORT_OUTSTANDING_TARGETS,
      notCompleted: 0,
    });
    expect(unit.congressResolutionTargets.items.filter((t: any) => t.status === 'OUTSTANDING')).toHaveLength(5);
    expect(unit.congressResolutionTargets.items.filter((t: any) => t.status === 'COMPLETED')).toHaveLength(11);
    // "100% of Party Congresses ... for the 2025-2030 term": every planned congress was held.
    const congresses = unit.partyCongresses;
    expect(congresses.length).toBe(value('PB_CONGRESSES_HELD'));
    expect(congresses.length).toBe(target('PB_CONGRESSES_HELD'));
    expect(
      congresses.every(
        (c: any) =>
          c.status === 'HELD' &&
          c.term.code === '2025-2030' &&
          c.heldDate >= '2025-01-01' &&
          c.heldDate <= '2025-06-30',
      ),
    ).toBe(true);
    // "establishing 5/4 Party organizations": five new organisations established in 2025S1.
    const established = unit.partyOrganisations.filter(
      (o: any) => o.kind === 'GRASSROOTS' && o.established >= '2025-01-01' && o.established <= '2025-06-30',
    );
    expect(established).toHaveLength(value('PB_ORGS_ESTABLISHED'));
    expect(established).toHaveLength(5);

    // The new Ngô Quyền ward's committee starts with the new unit; a viewer of 305 sees none of 304's records.
    const ward = await askSubgraph(
      service.url,
      `{ _entities(representations: [{__typename: "AdminUnit", id: "11329@2025-07-01"}]) { ... on AdminUnit { partyOrganisations(kind: COMMUNE_COMMITTEE) { name established } } } }`,
    );
    expect(ward.data!._entities[0].partyOrganisations).toEqual([
      { name: 'Đảng bộ Phường Ngô Quyền', established: '2025-07-01' },
    ]);
    const denied = await askSubgraph(
      service.url,
      RECORDS,
      { reps: [{ __typename: 'AdminUnit', id: '304@2000-01-01' }] },
      viewerOf('305'),
    );
    const fields = ['partyFigures', 'plan', 'partyOrganisations', 'partyCongresses', 'congressResolutionTargets'];
    expect(denied.data!._entities[0]).toEqual(Object.fromEntries(fields.map((f) => [f, null])));
    expect(denied.errors!.map((e) => e.extensions!.code)).toEqual(fields.map(() => 'FORBIDDEN'));
  },
});

describe('party schema', () => {
  it('extends AdminUnit with figures and Party records and namespaces its mutation', async () => {
    const sdl = printSubgraphSdl(await buildPartySchema());
    expect(sdl).toMatch(/party: PartyMutation(?!!)/);
    expect(sdl).toMatch(
      /recordObservations\((dryRun: Boolean = false, input: \[ObservationInput!\]!|input: \[ObservationInput!\]!, dryRun: Boolean = false)\): RecordObservationsPayload(?!!)/,
    );
    expect(sdl).toMatch(
      /partyFigures\((indicators: \[String!\], period: String|period: String, indicators: \[String!\])\): \[Figure!\]/,
    );
    expect(sdl).toMatch(/type Figure\s+@shareable/);
    expect(sdl).toMatch(/type Term\s+@key\(fields: "code", resolvable: false\)/);
    expect(sdl.replace(/\s+/g, ' ')).toMatch(
      /congressResolutionTargets\( (""".*?""" )?term: String! \): ResolutionTargets/,
    );
    expect(sdl).toContain('partyOrganisations(kind: PartyOrganisationKind): [PartyOrganisation!]');
    expect(sdl).not.toMatch(/economyFigures|socialFigures|budgetEstimates|recruitmentQuotas/);
  });
});
