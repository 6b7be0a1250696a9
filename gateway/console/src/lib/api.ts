/** A refusal or failure of the platform, with the registered error code when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Asks the platform's GraphQL endpoint (same origin) as the signed-in caller. */
export async function gql<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  let answer: GraphQLAnswer<T>;
  try {
    answer = (await res.json()) as GraphQLAnswer<T>;
  } catch {
    throw new ApiError(`HTTP ${res.status}`, undefined, res.status);
  }
  const error = answer.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code, res.status);
  if (!answer.data) throw new ApiError(`HTTP ${res.status}: no data`, undefined, res.status);
  return answer.data;
}

/** GETs a path of the platform (reports) as the signed-in caller; a refusal becomes an ApiError. */
export async function getWithToken(token: string, path: string): Promise<Response> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as GraphQLAnswer<unknown> | undefined;
    const error = body?.errors?.[0];
    throw new ApiError(error?.message ?? `HTTP ${res.status}`, error?.extensions?.code, res.status);
  }
  return res;
}

/** The claims of a token, read (not verified: the platform verifies it on every call) to show who is signed in. */
export interface Claims {
  readonly sub?: string;
  readonly role?: string;
  readonly units?: string[];
  readonly exp?: number;
}

export function readClaims(token: string): Claims | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
  } catch {
    return undefined;
  }
}

/** The development token the platform offers on this machine, if it offers one (never in production). */
export async function developmentToken(): Promise<string | undefined> {
  try {
    const res = await fetch('/console/dev-token');
    if (!res.ok) return undefined;
    const body = (await res.json()) as { token?: string };
    return body.token;
  } catch {
    return undefined;
  }
}
