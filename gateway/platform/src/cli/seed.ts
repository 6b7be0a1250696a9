import { IDENTITY_HEADER, SERVICE_IDENTITY, signForwardedIdentity } from '@lgr/kit/identity';

/** One domain subgraph to seed: its name and base URL. */
export interface SeedTarget {
  readonly name: string;
  readonly url: string;
}

export interface SeedResult {
  readonly name: string;
  readonly ok: boolean;
  readonly body?: SeedBody;
  readonly error?: string;
}

/** Asks each domain subgraph to load its demo data (`POST /internal/seed`) as a platform service. */
export async function seedAll(targets: readonly SeedTarget[], secret: string): Promise<SeedResult[]> {
  return Promise.all(
    targets.map(async ({ name, url }): Promise<SeedResult> => {
      const endpoint = new URL('/internal/seed', url).toString();
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { [IDENTITY_HEADER]: await signForwardedIdentity(SERVICE_IDENTITY, secret) },
          signal: AbortSignal.timeout(300_000),
        });
        const body = (await res.json().catch(() => ({}))) as Partial<SeedBody> & { errors?: { message?: string }[] };
        if (!res.ok)
          return { name, ok: false, error: `HTTP ${res.status}: ${body.errors?.[0]?.message ?? 'no details'}` };
        return { name, ok: true, body: body as SeedBody };
      } catch (error) {
        return { name, ok: false, error: `cannot reach ${endpoint}: ${(error as Error).message}` };
      }
    }),
  );
}

interface SeedCounts {
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** What a domain subgraph's seed route answers. */
export interface SeedBody {
  readonly report: SeedCounts;
  readonly synthetic: SeedCounts & { readonly label: string };
  readonly records?: Record<string, number>;
}

function counts(part: SeedCounts): string {
  return `${part.rows} rows (${part.inserted} inserted, ${part.updated} updated, ${part.unchanged} unchanged)`;
}

/** One readable line per subgraph. */
export function formatSeedResult(result: SeedResult): string {
  if (!result.ok) return `${result.name}: failed: ${result.error}`;
  const b = result.body!;
  const records = Object.entries(b.records ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${result.name}: report figures ${counts(b.report)}; synthetic figures ${counts(b.synthetic)} [${b.synthetic.label}]${records ? `; records: ${records}` : ''}`;
}
