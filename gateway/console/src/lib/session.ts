import { createContext, useContext } from 'react';
import type { Claims } from './api';

/** The signed-in caller: the token sent with every call and its claims, shown in the header. */
export interface Session {
  readonly token: string;
  readonly claims: Claims;
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The session of a page that is shown only when signed in. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

const KEY = 'lgr.console.token';

/** The token is kept for the browser tab only (sessionStorage), never in a cookie. */
export function storedToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function storeToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}
