import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';

export interface ChargePointRow {
  chargerId: string;
  chargePointId: string;
  connectorIds: number[];
  passwordHash: string | null;
  passwordSetAt: Date | null;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  bootedAt: Date | null;
  connectionId: string | null;
  instanceId: string | null;
  connectedAt: Date | null;
  disconnectedAt: Date | null;
  lastMessageAt: Date | null;
  connectorStatus: Record<string, ConnectorStatusRecord>;
}

export interface ConnectorStatusRecord {
  status: string;
  errorCode: string;
  info?: string;
  vendorErrorCode?: string;
  at: string;
}

const columns = [
  'charger_id',
  'charge_point_id',
  'connector_ids',
  'password_hash',
  'password_set_at',
  'vendor',
  'model',
  'serial_number',
  'firmware_version',
  'booted_at',
  'connection_id',
  'instance_id',
  'connected_at',
  'disconnected_at',
  'last_message_at',
  'connector_status',
] as const;

type Row = {
  charger_id: string;
  charge_point_id: string;
  connector_ids: number[];
  password_hash: string | null;
  password_set_at: Date | null;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  booted_at: Date | null;
  connection_id: string | null;
  instance_id: string | null;
  connected_at: Date | null;
  disconnected_at: Date | null;
  last_message_at: Date | null;
  connector_status: Record<string, unknown>;
};

function toChargePoint(r: Row): ChargePointRow {
  return {
    chargerId: r.charger_id,
    chargePointId: r.charge_point_id,
    connectorIds: r.connector_ids,
    passwordHash: r.password_hash,
    passwordSetAt: r.password_set_at,
    vendor: r.vendor,
    model: r.model,
    serialNumber: r.serial_number,
    firmwareVersion: r.firmware_version,
    bootedAt: r.booted_at,
    connectionId: r.connection_id,
    instanceId: r.instance_id,
    connectedAt: r.connected_at,
    disconnectedAt: r.disconnected_at,
    lastMessageAt: r.last_message_at,
    connectorStatus: r.connector_status as Record<string, ConnectorStatusRecord>,
  };
}

export async function findByChargePointId(
  db: Executor,
  chargePointId: string,
): Promise<ChargePointRow | undefined> {
  const row = await db
    .selectFrom('ocpp_charge_points')
    .select(columns)
    .where('charge_point_id', '=', chargePointId)
    .executeTakeFirst();
  return row && toChargePoint(row);
}

export async function findByCharger(
  db: Executor,
  chargerId: string,
  lock = false,
): Promise<ChargePointRow | undefined> {
  const row = await db
    .selectFrom('ocpp_charge_points')
    .select(columns)
    .where('charger_id', '=', chargerId)
    .$if(lock, (q) => q.forUpdate())
    .executeTakeFirst();
  return row && toChargePoint(row);
}

/** The charge points of the chargers on a circuit. */
export async function listOnCircuit(db: Executor, circuitId: string): Promise<ChargePointRow[]> {
  const rows = await db
    .selectFrom('ocpp_charge_points as p')
    .innerJoin('chargers as c', 'c.id', 'p.charger_id')
    .select(columns.map((c) => `p.${c}` as const))
    .where('c.circuit_id', '=', circuitId)
    .execute();
  return rows.map(toChargePoint);
}

export async function insertIdentity(
  db: Executor,
  input: { chargerId: string; chargePointId: string; connectorIds: number[]; now: Date },
): Promise<void> {
  await db
    .insertInto('ocpp_charge_points')
    .values({
      charger_id: input.chargerId,
      charge_point_id: input.chargePointId,
      connector_ids: input.connectorIds,
      created_at: input.now,
    })
    .execute();
}

export async function updateIdentity(
  db: Executor,
  chargerId: string,
  patch: { chargePointId?: string; connectorIds?: number[] },
): Promise<void> {
  const set = {
    ...(patch.chargePointId !== undefined ? { charge_point_id: patch.chargePointId } : {}),
    ...(patch.connectorIds !== undefined ? { connector_ids: patch.connectorIds } : {}),
  };
  if (Object.keys(set).length > 0)
    await db
      .updateTable('ocpp_charge_points')
      .set(set)
      .where('charger_id', '=', chargerId)
      .execute();
}

export async function deleteIdentity(db: Executor, chargerId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('ocpp_charge_points')
    .where('charger_id', '=', chargerId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function setPasswordHash(
  db: Executor,
  chargerId: string,
  hash: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('ocpp_charge_points')
    .set({ password_hash: hash, password_set_at: now })
    .where('charger_id', '=', chargerId)
    .execute();
}

/** The charger is now reached through this connection on this instance (the newest one wins). */
export async function markConnected(
  db: Executor,
  chargerId: string,
  connection: { connectionId: string; instanceId: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('ocpp_charge_points')
    .set({
      connection_id: connection.connectionId,
      instance_id: connection.instanceId,
      connected_at: now,
      last_message_at: now,
    })
    .where('charger_id', '=', chargerId)
    .execute();
}

/** Ends the record of this connection; false when a newer connection already took over. */
export async function markDisconnected(
  db: Executor,
  chargerId: string,
  connectionId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('ocpp_charge_points')
    .set({ connection_id: null, instance_id: null, disconnected_at: now })
    .where('charger_id', '=', chargerId)
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Notes a message on this connection; false when the connection has been superseded. */
export async function touch(
  db: Executor,
  chargerId: string,
  connectionId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('ocpp_charge_points')
    .set({ last_message_at: now })
    .where('charger_id', '=', chargerId)
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function recordBoot(
  db: Executor,
  chargerId: string,
  boot: {
    vendor: string;
    model: string;
    serialNumber: string | null;
    firmwareVersion: string | null;
  },
  now: Date,
): Promise<void> {
  await db
    .updateTable('ocpp_charge_points')
    .set({
      vendor: boot.vendor,
      model: boot.model,
      serial_number: boot.serialNumber,
      firmware_version: boot.firmwareVersion,
      booted_at: now,
    })
    .where('charger_id', '=', chargerId)
    .execute();
}

export async function recordConnectorStatus(
  db: Executor,
  chargerId: string,
  connectorId: number,
  status: ConnectorStatusRecord,
): Promise<void> {
  await db
    .updateTable('ocpp_charge_points')
    .set({
      connector_status: sql`connector_status || jsonb_build_object(${String(connectorId)}::text, ${JSON.stringify(status)}::jsonb)`,
    })
    .where('charger_id', '=', chargerId)
    .execute();
}
