import { Identity, IDENTITY_HEADER, signForwardedIdentity } from '@lgr/kit';
import { clientError, ErrorCode } from '@lgr/schema';
import type { ResolutionSummary } from './model';

/** Where the Party subgraph answers, and how long to wait for it. */
export interface PartySource {
  readonly url: string;
  readonly internalSecret: string;
  readonly timeoutMs: number;
}

const QUERY = `query ResolutionTargets($representations: [_Any!]!, $term: String!) {
  _entities(representations: $representations) {
    ... on AdminUnit { congressResolutionTargets(term: $term) { summary { total completed outstanding notCompleted } } }
  }
}`;

interface EntitiesAnswer {
  data?: { _entities?: ({ congressResolutionTargets?: { summary: ResolutionSummary } | null } | null)[] } | null;
  errors?: { message?: string; extensions?: { code?: string } }[];
}

/**
 * The Congress-resolution targets of a unit version for a term, asked of the Party subgraph over
 * GraphQL as the caller (the subgraph applies the caller's scope itself). Null when the unit has no
 * targets recorded for the term.
 */
export async function fetchResolutionSummary(
  source: PartySource,
  identity: Identity,
  unitId: string,
  term: string,
): Promise<ResolutionSummary | null> {
  let answer: EntitiesAnswer;
  try {
    const response = await fetch(`${source.url.replace(/\/$/, '')}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: await signForwardedIdentity(identity, source.internalSecret),
      },
      body: JSON.stringify({
        query: QUERY,
        variables: { representations: [{ __typename: 'AdminUnit', id: unitId }], term },
      }),
      signal: AbortSignal.timeout(source.timeoutMs),
    });
    answer = (await response.json()) as EntitiesAnswer;
  } catch {
    throw clientError(
      ErrorCode.SOURCE_UNAVAILABLE,
      'The party service is unavailable, so the report cannot state the Congress-resolution targets',
      { serviceName: 'party' },
    );
  }
  const error = answer.errors?.[0];
  if (error) {
    if (error.extensions?.code === ErrorCode.FORBIDDEN)
      throw clientError(ErrorCode.FORBIDDEN, error.message ?? 'You are not allowed to read this unit');
    throw clientError(
      ErrorCode.SOURCE_UNAVAILABLE,
      `The party service could not answer for the Congress-resolution targets: ${error.message ?? 'unknown error'}`,
      { serviceName: 'party' },
    );
  }
  return answer.data?._entities?.[0]?.congressResolutionTargets?.summary ?? null;
}
