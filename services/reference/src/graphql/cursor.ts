import { clientError, ErrorCode } from '@lgr/schema';

const PREFIX = 'unit:';

/** Cursors are opaque to clients; inside they carry the unit's position in the loaded data. */
export function encodeCursor(position: number): string {
  return Buffer.from(`${PREFIX}${position}`).toString('base64url');
}

export function decodeCursor(cursor: string, argument = 'after'): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^unit:(\d{1,9})$/.exec(text);
  if (!match) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `${argument}: expected a cursor returned by units (an edge's cursor or pageInfo.endCursor), got ${JSON.stringify(cursor)}`,
      { argument },
    );
  }
  return Number(match[1]);
}
