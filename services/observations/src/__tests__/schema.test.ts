import { printSubgraphSdl } from '@lgr/kit';
import { buildDomainSchema } from '../service';

describe('domain subgraph schemas', () => {
  it("keeps each domain's AdminUnit fields out of the other domains' schemas built in the same process", async () => {
    const party = printSubgraphSdl(await buildDomainSchema({ domain: 'PARTY' }));
    const economy = printSubgraphSdl(await buildDomainSchema({ domain: 'ECONOMY' }));
    const partyAgain = printSubgraphSdl(await buildDomainSchema({ domain: 'PARTY' }));
    expect(party).toContain('partyFigures(');
    expect(party).not.toContain('economyFigures');
    expect(economy).toContain('economyFigures(');
    expect(economy).not.toContain('partyFigures');
    expect(partyAgain).toBe(party);
  });

  it('prints the namespaced mutation with dryRun defaulting to false, and the shared types as @shareable', async () => {
    const sdl = printSubgraphSdl(await buildDomainSchema({ domain: 'SOCIAL' }));
    // Nullable, so that a write to another domain survives this one being down.
    expect(sdl).toMatch(/social: SocialMutation(?!!)/);
    expect(sdl).toMatch(/recordObservations\(.*dryRun: Boolean = false.*\): RecordObservationsPayload(?!!)/);
    for (const type of ['Figure', 'RowError', 'RecordObservationsPayload'])
      expect(sdl).toMatch(new RegExp(`type ${type}\\s+@shareable`));
    expect(sdl).toMatch(/type AdminUnit\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Indicator\s+@key\(fields: "code", resolvable: false\)/);
    expect(sdl).toMatch(
      /input ObservationInput \{[^}]*indicator: String![^}]*unit: String![^}]*period: String![^}]*value: Float[^}]*target: Float/,
    );
  });
});
