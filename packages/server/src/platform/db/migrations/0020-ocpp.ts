import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/**
 * OCPP 1.6-J charge points: identity and credentials per depot charger, what they report,
 * transactions, the limits to send (a durable table every instance reads), a message log;
 * and, on the microgrid's chargers, what controls them and whether they follow their allocation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    ALTER TABLE chargers ADD COLUMN not_following_reason text;
    ALTER TABLE chargers ADD COLUMN not_following_since timestamptz;
    ALTER TABLE chargers ADD COLUMN controlled_by text;
    CREATE TABLE ocpp_charge_points (
      charger_id uuid PRIMARY KEY REFERENCES chargers(id) ON DELETE CASCADE,
      charge_point_id text NOT NULL UNIQUE,
      connector_ids integer[] NOT NULL,
      password_hash text,
      password_set_at timestamptz,
      created_at timestamptz NOT NULL,
      vendor text,
      model text,
      serial_number text,
      firmware_version text,
      booted_at timestamptz,
      connection_id uuid,
      instance_id text,
      connected_at timestamptz,
      disconnected_at timestamptz,
      last_message_at timestamptz,
      connector_status jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX ocpp_charge_points_instance ON ocpp_charge_points (instance_id) WHERE instance_id IS NOT NULL;
    CREATE TABLE ocpp_id_tag_policies (
      microgrid_id uuid PRIMARY KEY REFERENCES microgrids(id) ON DELETE CASCADE,
      mode text NOT NULL CHECK (mode IN ('ACCEPT_ALL','ALLOW_LIST')),
      id_tags text[] NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE TABLE ocpp_transactions (
      transaction_id serial PRIMARY KEY,
      charger_id uuid NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
      connector_id integer NOT NULL,
      id_tag text NOT NULL,
      id_tag_status text NOT NULL,
      session_id uuid,
      meter_start_wh double precision NOT NULL,
      started_at timestamptz NOT NULL,
      stopped_at timestamptz,
      meter_stop_wh double precision,
      stop_reason text
    );
    CREATE UNIQUE INDEX ocpp_transactions_one_open ON ocpp_transactions (charger_id) WHERE stopped_at IS NULL;
    CREATE TABLE ocpp_charging_limits (
      charger_id uuid PRIMARY KEY REFERENCES chargers(id) ON DELETE CASCADE,
      transaction_id integer,
      connector_id integer NOT NULL,
      number_phases integer NOT NULL,
      desired_a double precision NOT NULL,
      desired_at timestamptz NOT NULL,
      state text NOT NULL CHECK (state IN ('PENDING','SENDING','DONE')),
      attempt integer NOT NULL DEFAULT 0,
      lease_until timestamptz,
      sent_a double precision,
      sent_at timestamptz,
      answer text CHECK (answer IN ('ACCEPTED','REJECTED','NOT_SUPPORTED','TIMEOUT','FAILED')),
      answered_at timestamptz,
      answer_detail text,
      answered_connection_id uuid
    );
    CREATE INDEX ocpp_charging_limits_due ON ocpp_charging_limits (charger_id) WHERE state <> 'DONE';
    CREATE TABLE ocpp_message_log (
      id bigserial PRIMARY KEY,
      charger_id uuid NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
      at timestamptz NOT NULL,
      direction text NOT NULL CHECK (direction IN ('IN','OUT')),
      kind text NOT NULL CHECK (kind IN ('CALL','RESULT','ERROR')),
      action text NOT NULL,
      message_id text NOT NULL,
      payload jsonb NOT NULL
    );
    CREATE INDEX ocpp_message_log_charger ON ocpp_message_log (charger_id, id);
  `,
  );
}
