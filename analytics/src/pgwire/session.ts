import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { Identity, Logger } from '@lgr/kit';
import * as msg from './backend';
import { FieldDescription } from './backend';
import { DEFAULT_SETTINGS } from './catalog/functions';
import { DATABASE_NAME } from './catalog/tables';
import { selectTag, SessionCommand, sessionCommand, splitStatements } from './commands';
import { errorFields, PgError } from './errors';
import { FrameReader, ProtocolError } from './framing';
import { decodeFrontend, formatAt, FrontendMessage } from './frontend';
import { QueryDescription, QueryResult, QueryRouter } from './router';
import { binaryOf, paramValue, PG, PG_TYPES_BY_OID, pgTypeOf, textOf, typeModifierOf } from './types';

/** What a session needs from its server. */
export interface SessionHost {
  /** Verifies the password (the caller's JWT) and refuses roles that may not run SQL. */
  authenticate(token: string): Promise<Identity>;
  router(identity: Identity): QueryRouter;
  /** Switches the socket to TLS after an SSLRequest; undefined when TLS is not configured. */
  readonly startTls?: (socket: Socket) => Duplex;
  cancel(pid: number, secret: number): void;
  readonly logger: Logger;
}

interface Statement {
  readonly sql: string;
  readonly paramTypes: readonly number[];
  readonly command: SessionCommand | undefined;
}

interface Portal {
  readonly statement: Statement;
  readonly params: ReturnType<typeof paramValue>[];
  readonly resultFormats: readonly number[];
  result?: QueryResult;
  sent: number;
}

/** Parameters reported to the client at startup and when a SET changes them. */
const REPORTED = [
  'server_version',
  'server_encoding',
  'client_encoding',
  'datestyle',
  'timezone',
  'integer_datetimes',
  'standard_conforming_strings',
  'application_name',
  'intervalstyle',
  'is_superuser',
];
const REPORTED_NAMES: Readonly<Record<string, string>> = {
  datestyle: 'DateStyle',
  timezone: 'TimeZone',
  intervalstyle: 'IntervalStyle',
};

/**
 * One client connection speaking the PostgreSQL protocol: startup (SSLRequest, CancelRequest,
 * password authentication with the caller's JWT), then the simple and the extended query protocol.
 * Messages are handled strictly in order, however the client pipelines them; after an error in an
 * extended-protocol batch everything up to the next Sync is skipped, as PostgreSQL does.
 */
export class PgSession {
  private stream: Duplex;
  private reader = new FrameReader();
  private readonly queue: FrontendMessage[] = [];
  private draining = false;
  private phase: 'startup' | 'password' | 'ready' | 'closed' = 'startup';
  private identity?: Identity;
  private token = '';
  private queryRouter?: QueryRouter;
  private startupParams: Record<string, string> = {};
  private readonly settings = new Map(Object.entries(DEFAULT_SETTINGS));
  private readonly statements = new Map<string, Statement>();
  private readonly portals = new Map<string, Portal>();
  private skipping = false;
  private status: 'I' | 'T' | 'E' = 'I';
  private running?: AbortController;
  private out: Buffer[] = [];

  constructor(
    socket: Socket,
    readonly pid: number,
    readonly secret: number,
    private readonly host: SessionHost,
  ) {
    this.stream = socket;
    this.listen(socket);
  }

  /** Whether the client has authenticated. */
  get authenticated(): boolean {
    return this.phase === 'ready';
  }

  /** Interrupts the query running now, if any (a CancelRequest with this session's key). */
  cancel(): void {
    this.running?.abort();
  }

  close(): void {
    this.phase = 'closed';
    this.running?.abort();
    this.stream.destroy();
  }

  private listen(stream: Duplex): void {
    stream.on('data', (data: Buffer) => this.receive(data));
    stream.on('error', () => this.close());
    stream.on('close', () => this.close());
  }

  private receive(data: Buffer): void {
    try {
      for (const frame of this.reader.push(data)) this.queue.push(decodeFrontend(frame));
    } catch (error) {
      this.fatal(error);
      return;
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && this.phase !== 'closed') {
        await this.handle(this.queue.shift()!);
        this.flush();
      }
    } catch (error) {
      this.fatal(error);
    } finally {
      this.draining = false;
    }
  }

  private send(message: Buffer): void {
    this.out.push(message);
  }

  private flush(): void {
    if (this.out.length === 0 || this.phase === 'closed') return;
    this.stream.write(Buffer.concat(this.out));
    this.out = [];
  }

  private fatal(error: unknown): void {
    if (this.phase === 'closed') return;
    const fields = errorFields(error);
    if (fields.internal) this.host.logger.error({ err: error }, 'PostgreSQL protocol session failed');
    this.send(msg.errorResponse({ ...fields, severity: 'FATAL' }));
    this.flush();
    this.phase = 'closed';
    this.stream.end();
  }

  private async handle(m: FrontendMessage): Promise<void> {
    if (this.phase === 'startup') return this.handleStartup(m);
    if (this.phase === 'password') return this.handlePassword(m);
    if (m.kind === 'terminate') return this.close();
    if (m.kind === 'sync') return this.sync();
    if (m.kind === 'query') return this.simpleQuery(m.sql);
    if (this.skipping) return;
    try {
      await this.extended(m);
    } catch (error) {
      this.reportError(error);
      this.skipping = true;
    }
  }

  private async handleStartup(m: FrontendMessage): Promise<void> {
    switch (m.kind) {
      case 'sslRequest':
        return this.answerSsl();
      case 'gssencRequest':
        this.stream.write(Buffer.from('N'));
        return;
      case 'cancel':
        this.host.cancel(m.pid, m.secret);
        this.phase = 'closed';
        this.stream.end();
        return;
      case 'startup': {
        const database = m.params.database ?? m.params.user ?? '';
        if (database !== DATABASE_NAME)
          throw new PgError(`database "${database}" does not exist; connect to "${DATABASE_NAME}"`, '3D000', 'FATAL');
        this.startupParams = m.params;
        if (m.params.application_name) this.settings.set('application_name', m.params.application_name);
        this.phase = 'password';
        this.send(msg.authenticationCleartextPassword());
        return;
      }
      default:
        throw new ProtocolError(`expected a startup message, got ${m.kind}`);
    }
  }

  private answerSsl(): void {
    const startTls = this.host.startTls;
    if (!startTls || !(this.stream instanceof Socket)) {
      this.stream.write(Buffer.from('N'));
      return;
    }
    // The client sends nothing more until it has our answer, so nothing is lost between the plain
    // socket and the TLS socket wrapped around it.
    const socket = this.stream;
    socket.removeAllListeners('data');
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    socket.write(Buffer.from('S'));
    this.stream = startTls(socket);
    this.reader = new FrameReader();
    this.listen(this.stream);
  }

  private async handlePassword(m: FrontendMessage): Promise<void> {
    if (m.kind !== 'password') throw new ProtocolError(`expected a password message, got ${m.kind}`);
    try {
      this.token = m.password.trim();
      this.identity = await this.host.authenticate(this.token);
    } catch (error) {
      const fields = errorFields(error);
      throw new PgError(fields.message, fields.code === '42501' ? '42501' : '28P01', 'FATAL');
    }
    this.queryRouter = this.host.router(this.identity);
    this.phase = 'ready';
    this.host.logger.info(
      {
        sub: this.identity.sub,
        role: this.identity.role,
        application: this.startupParams.application_name ?? null,
        pid: this.pid,
      },
      'PostgreSQL client connected',
    );
    this.send(msg.authenticationOk());
    this.settings.set('session_authorization', this.startupParams.user ?? this.identity.sub);
    for (const name of [...REPORTED, 'session_authorization'])
      this.send(msg.parameterStatus(REPORTED_NAMES[name] ?? name, this.settings.get(name) ?? ''));
    this.send(msg.backendKeyData(this.pid, this.secret));
    this.send(msg.readyForQuery(this.status));
  }

  private reportError(error: unknown): void {
    const fields = errorFields(error);
    if (fields.severity === 'FATAL') return this.fatal(error);
    if (fields.internal) this.host.logger.error({ err: error }, 'PostgreSQL protocol query failed');
    this.send(msg.errorResponse(fields));
    if (this.status === 'T') this.status = 'E';
  }

  private sync(): void {
    this.skipping = false;
    if (this.status === 'I') this.portals.clear();
    this.send(msg.readyForQuery(this.status));
  }

  // ---- simple query protocol ----

  private async simpleQuery(sql: string): Promise<void> {
    this.skipping = false;
    const statements = splitStatements(sql);
    if (statements.length === 0) this.send(msg.emptyQueryResponse());
    for (const text of statements) {
      try {
        const command = sessionCommand(text);
        if (command) this.runCommand(command, [0]);
        else await this.runQuery(text);
      } catch (error) {
        this.reportError(error);
        break;
      }
    }
    this.portals.delete('');
    this.send(msg.readyForQuery(this.status));
  }

  private async runQuery(text: string): Promise<void> {
    this.assertNotAborted();
    const result = await this.execute(text, []);
    this.send(msg.rowDescription(this.fields(result.columns, [])));
    for (const row of result.rows) this.send(this.dataRow(result, row, []));
    this.noteTruncation(result);
    this.send(msg.commandComplete(selectTag(result.rows.length)));
  }

  // ---- session commands ----

  private runCommand(command: SessionCommand, resultFormats: readonly number[], describe = true): void {
    if (this.status === 'E' && command.kind !== 'rollback' && command.kind !== 'commit') this.assertNotAborted();
    switch (command.kind) {
      case 'set':
        this.settings.set(command.name, command.value);
        if (REPORTED.includes(command.name))
          this.send(msg.parameterStatus(REPORTED_NAMES[command.name] ?? command.name, command.value));
        return this.send(msg.commandComplete(command.tag));
      case 'reset':
        if (command.name === null) for (const [k, v] of Object.entries(DEFAULT_SETTINGS)) this.settings.set(k, v);
        else this.settings.set(command.name, DEFAULT_SETTINGS[command.name] ?? '');
        return this.send(msg.commandComplete('RESET'));
      case 'show': {
        const value =
          command.name === 'all'
            ? [...this.settings].map(([k, v]) => `${k}=${v}`).join(', ')
            : (this.settings.get(command.name) ?? '');
        if (describe) this.send(msg.rowDescription([textField(command.name, resultFormats)]));
        this.send(msg.dataRow([Buffer.from(value, 'utf8')]));
        return this.send(msg.commandComplete('SHOW'));
      }
      case 'begin':
        if (this.status === 'I') this.status = 'T';
        return this.send(msg.commandComplete('BEGIN'));
      case 'commit': {
        const tag = this.status === 'E' ? 'ROLLBACK' : 'COMMIT';
        this.status = 'I';
        return this.send(msg.commandComplete(tag));
      }
      case 'rollback':
        this.status = 'I';
        return this.send(msg.commandComplete('ROLLBACK'));
      case 'deallocate':
        if (command.name === null) this.statements.clear();
        else this.statements.delete(command.name);
        return this.send(msg.commandComplete('DEALLOCATE'));
      case 'noop':
        return this.send(msg.commandComplete(command.tag));
    }
  }

  private assertNotAborted(): void {
    if (this.status === 'E')
      throw new PgError('current transaction is aborted, commands ignored until end of transaction block', '25P02');
  }

  // ---- extended query protocol ----

  private async extended(m: FrontendMessage): Promise<void> {
    switch (m.kind) {
      case 'parse':
        return this.parse(m.name, m.sql, m.paramTypes);
      case 'bind':
        return this.bind(m);
      case 'describe':
        return m.target === 'S' ? this.describeStatement(m.name) : this.describePortal(m.name);
      case 'execute':
        return this.executePortal(m.portal, m.maxRows);
      case 'close':
        if (m.target === 'S') this.statements.delete(m.name);
        else this.portals.delete(m.name);
        return this.send(msg.closeComplete());
      case 'flush':
        return;
      default:
        throw new ProtocolError(`unexpected ${m.kind} message`);
    }
  }

  private parse(name: string, sql: string, paramTypes: readonly number[]): void {
    if (name !== '' && this.statements.has(name))
      throw new PgError(`prepared statement "${name}" already exists`, '42P05');
    const statements = splitStatements(sql);
    if (statements.length > 1) throw new PgError('cannot insert multiple commands into a prepared statement', '42601');
    this.statements.set(name, {
      sql,
      paramTypes,
      command: statements[0] === undefined ? undefined : sessionCommand(statements[0]),
    });
    this.send(msg.parseComplete());
  }

  private bind(m: Extract<FrontendMessage, { kind: 'bind' }>): void {
    const statement = this.statements.get(m.statement);
    if (!statement) throw new PgError(`prepared statement "${m.statement}" does not exist`, '26000');
    if (m.portal !== '' && this.portals.has(m.portal))
      throw new PgError(`portal "${m.portal}" already exists`, '42P03');
    const params = m.params.map((raw, i) => paramValue(raw, formatAt(m.paramFormats, i), statement.paramTypes[i] ?? 0));
    this.portals.set(m.portal, { statement, params, resultFormats: m.resultFormats, sent: 0 });
    this.send(msg.bindComplete());
  }

  private async describeStatement(name: string): Promise<void> {
    const statement = this.statements.get(name);
    if (!statement) throw new PgError(`prepared statement "${name}" does not exist`, '26000');
    if (statement.command || !statement.sql.trim()) {
      this.send(msg.parameterDescription([]));
      this.send(
        statement.command?.kind === 'show' ? msg.rowDescription([textField(statement.command.name, [])]) : msg.noData(),
      );
      return;
    }
    const described: QueryDescription = await this.router().describe(statement.sql);
    const oids = described.params.map(
      (type, i) => statement.paramTypes[i] || (type ? pgTypeOf(type).oid : PG.text.oid),
    );
    this.send(msg.parameterDescription(oids));
    this.send(described.columns ? msg.rowDescription(this.fields(described.columns, [])) : msg.noData());
  }

  private async describePortal(name: string): Promise<void> {
    const portal = this.portal(name);
    const command = portal.statement.command;
    if (command || !portal.statement.sql.trim()) {
      this.send(
        command?.kind === 'show' ? msg.rowDescription([textField(command.name, portal.resultFormats)]) : msg.noData(),
      );
      return;
    }
    const result = await this.resultOf(portal);
    this.send(msg.rowDescription(this.fields(result.columns, portal.resultFormats)));
  }

  private async executePortal(name: string, maxRows: number): Promise<void> {
    const portal = this.portal(name);
    const command = portal.statement.command;
    if (!portal.statement.sql.trim()) return this.send(msg.emptyQueryResponse());
    if (command) return this.runCommand(command, portal.resultFormats, false);
    this.assertNotAborted();
    const result = await this.resultOf(portal);
    const end = maxRows > 0 ? Math.min(result.rows.length, portal.sent + maxRows) : result.rows.length;
    for (let i = portal.sent; i < end; i += 1) this.send(this.dataRow(result, result.rows[i]!, portal.resultFormats));
    portal.sent = end;
    if (end < result.rows.length) return this.send(msg.portalSuspended());
    this.noteTruncation(result);
    this.send(msg.commandComplete(selectTag(result.rows.length)));
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) throw new PgError(`portal "${name}" does not exist`, '34000');
    return portal;
  }

  private async resultOf(portal: Portal): Promise<QueryResult> {
    this.assertNotAborted();
    portal.result ??= await this.execute(portal.statement.sql, portal.params);
    return portal.result;
  }

  // ---- results ----

  private async execute(sql: string, params: Portal['params']): Promise<QueryResult> {
    await this.reauthenticate();
    const running = new AbortController();
    this.running = running;
    try {
      return await this.router().execute(sql, params, running.signal);
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  /** The token must still be valid for every query: a session ends when its token expires. */
  private async reauthenticate(): Promise<void> {
    try {
      await this.host.authenticate(this.token);
    } catch (error) {
      throw new PgError(`${errorFields(error).message}; reconnect with a new token`, '28P01', 'FATAL');
    }
  }

  private router(): QueryRouter {
    if (!this.queryRouter) throw new ProtocolError('not authenticated');
    return this.queryRouter;
  }

  private fields(columns: QueryResult['columns'], formats: readonly number[]): FieldDescription[] {
    return columns.map((c, i) => {
      const pg = pgTypeOf(c.type);
      return {
        name: c.name,
        tableOid: 0,
        columnNumber: 0,
        typeOid: pg.oid,
        typeSize: pg.size,
        typeModifier: typeModifierOf(c.type),
        format: formatAt(formats, i),
      };
    });
  }

  private dataRow(result: QueryResult, row: QueryResult['rows'][number], formats: readonly number[]): Buffer {
    return msg.dataRow(
      row.map((value, i) => {
        if (value === null) return null;
        const pg = pgTypeOf(result.columns[i]!.type);
        return formatAt(formats, i) === 1 ? binaryOf(value, pg) : Buffer.from(textOf(value, pg), 'utf8');
      }),
    );
  }

  private noteTruncation(result: QueryResult): void {
    if (!result.truncated) return;
    this.send(
      msg.noticeResponse({
        severity: 'WARNING',
        code: '01000',
        message: `The result was cut off after ${result.rows.length} rows (the server's row limit)`,
      }),
    );
  }
}

function textField(name: string, formats: readonly number[]): FieldDescription {
  return {
    name,
    tableOid: 0,
    columnNumber: 0,
    typeOid: PG.text.oid,
    typeSize: -1,
    typeModifier: -1,
    format: formatAt(formats, 0) === 1 ? 1 : 0,
  };
}

export { PG_TYPES_BY_OID };
