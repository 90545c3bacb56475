import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE microgrids (
      id uuid PRIMARY KEY,
      name text NOT NULL UNIQUE,
      timezone text NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE TABLE circuits (
      id uuid PRIMARY KEY,
      microgrid_id uuid NOT NULL REFERENCES microgrids(id) ON DELETE CASCADE,
      name text NOT NULL,
      phase_count integer NOT NULL CHECK (phase_count IN (1, 3)),
      nominal_voltage_v double precision NOT NULL CHECK (nominal_voltage_v > 0),
      static_capacity_a double precision NOT NULL CHECK (static_capacity_a >= 0),
      effective_capacity_a double precision NOT NULL,
      capacity_source jsonb NOT NULL,
      capacity_updated_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL,
      UNIQUE (microgrid_id, name)
    );
    CREATE TABLE managed_scopes (
      id uuid PRIMARY KEY,
      microgrid_id uuid NOT NULL REFERENCES microgrids(id) ON DELETE CASCADE,
      name text NOT NULL,
      created_at timestamptz NOT NULL,
      UNIQUE (microgrid_id, name)
    );
    CREATE TABLE scope_circuits (
      scope_id uuid NOT NULL REFERENCES managed_scopes(id) ON DELETE CASCADE,
      circuit_id uuid NOT NULL REFERENCES circuits(id) ON DELETE CASCADE,
      PRIMARY KEY (scope_id, circuit_id)
    );
    CREATE TABLE chargers (
      id uuid PRIMARY KEY,
      circuit_id uuid NOT NULL REFERENCES circuits(id) ON DELETE CASCADE,
      name text NOT NULL,
      phases text[] NOT NULL,
      min_current_a double precision NOT NULL CHECK (min_current_a >= 0),
      max_current_a double precision NOT NULL CHECK (max_current_a >= min_current_a),
      priority integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      UNIQUE (circuit_id, name)
    );
    CREATE TABLE charging_sessions (
      id uuid PRIMARY KEY,
      charger_id uuid NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
      vehicle_label text,
      vehicle_max_current_a double precision,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      energy_wh double precision NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX one_active_session_per_charger ON charging_sessions (charger_id) WHERE ended_at IS NULL;
    CREATE TABLE allocations (
      charger_id uuid PRIMARY KEY REFERENCES chargers(id) ON DELETE CASCADE,
      session_id uuid NOT NULL,
      current_a double precision NOT NULL,
      binding jsonb NOT NULL,
      computed_at timestamptz NOT NULL
    );
    CREATE TABLE envelopes (
      id uuid PRIMARY KEY,
      scope_id uuid NOT NULL REFERENCES managed_scopes(id) ON DELETE CASCADE,
      circuit_id uuid NOT NULL REFERENCES circuits(id) ON DELETE CASCADE,
      source text NOT NULL,
      origin jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('SCHEDULED','ACTIVE','EXPIRED','WITHDRAWN')),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      submitted_at timestamptz NOT NULL,
      submitted_by text,
      withdrawn_at timestamptz,
      withdrawn_by text
    );
    CREATE INDEX envelopes_open ON envelopes (circuit_id, ends_at) WHERE status IN ('SCHEDULED','ACTIVE');
    CREATE TABLE envelope_blocks (
      envelope_id uuid NOT NULL REFERENCES envelopes(id) ON DELETE CASCADE,
      idx integer NOT NULL,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      import_limit_value double precision NOT NULL CHECK (import_limit_value >= 0),
      import_limit_unit text NOT NULL CHECK (import_limit_unit IN ('A','KW')),
      PRIMARY KEY (envelope_id, idx)
    );
    CREATE TABLE capacity_history (
      id bigserial PRIMARY KEY,
      circuit_id uuid NOT NULL REFERENCES circuits(id) ON DELETE CASCADE,
      at timestamptz NOT NULL,
      static_capacity_a double precision NOT NULL,
      effective_capacity_a double precision NOT NULL,
      source jsonb NOT NULL
    );
    CREATE INDEX capacity_history_circuit_at ON capacity_history (circuit_id, at);
    CREATE TABLE meter_readings (
      id bigserial PRIMARY KEY,
      charger_id uuid NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
      session_id uuid,
      measured_at timestamptz NOT NULL,
      energy_wh double precision NOT NULL,
      power_w double precision NOT NULL,
      current_a double precision NOT NULL
    );
    CREATE INDEX meter_readings_charger_at ON meter_readings (charger_id, measured_at);
  `,
  );
}
