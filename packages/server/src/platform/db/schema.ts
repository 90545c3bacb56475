import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Kysely's view of the tables. The migrations in ./migrations are the source of truth. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T extends object | null = Record<string, unknown>> = JSONColumnType<T, T, T>;

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  disabled: Generated<boolean>;
  created_at: Timestamp;
}

export interface AuthSessionsTable {
  id_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface EventsTable {
  global_position: Generated<number>;
  stream_id: string;
  subject: string;
  version: number;
  type: string;
  data: Json<Record<string, unknown>>;
  metadata: Json<Record<string, unknown>>;
  recorded_at: Timestamp;
}

export interface ScheduledWorkTable {
  id: Generated<number>;
  kind: string;
  dedupe_key: string;
  due_at: Timestamp;
  payload: Json<Record<string, unknown>>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
}

export interface MicrogridsTable {
  id: string;
  name: string;
  timezone: string;
  created_at: Timestamp;
}

export interface CircuitsTable {
  id: string;
  microgrid_id: string;
  name: string;
  phase_count: number;
  nominal_voltage_v: number;
  static_capacity_a: number;
  effective_capacity_a: number;
  capacity_source: Json<Record<string, unknown>>;
  capacity_updated_at: Timestamp;
  created_at: Timestamp;
}

export interface ManagedScopesTable {
  id: string;
  microgrid_id: string;
  name: string;
  created_at: Timestamp;
}

export interface ScopeCircuitsTable {
  scope_id: string;
  circuit_id: string;
}

export interface ChargersTable {
  id: string;
  circuit_id: string;
  name: string;
  phases: string[];
  min_current_a: number;
  max_current_a: number;
  priority: number;
  created_at: Timestamp;
  /** Set while the charger is known not to follow its allocation (the balancer assumes its maximum). */
  not_following_reason: ColumnType<string | null, string | null | undefined, string | null>;
  not_following_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** What tells the charger its allocation (e.g. 'OCPP'); null when it reads it itself (API). */
  controlled_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ChargingSessionsTable {
  id: string;
  charger_id: string;
  vehicle_label: string | null;
  vehicle_max_current_a: number | null;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  energy_wh: number;
}

export interface AllocationsTable {
  charger_id: string;
  session_id: string;
  current_a: number;
  binding: Json<Record<string, unknown>>;
  computed_at: Timestamp;
}

export interface EnvelopesTable {
  id: string;
  scope_id: string;
  circuit_id: string;
  source: string;
  origin: Json<Record<string, unknown>>;
  status: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  submitted_at: Timestamp;
  submitted_by: string | null;
  role: Generated<string>;
  withdrawn_at: Timestamp | null;
  withdrawn_by: string | null;
}

export interface EnvelopeBlocksTable {
  envelope_id: string;
  idx: number;
  starts_at: Timestamp;
  ends_at: Timestamp;
  import_limit_value: number;
  import_limit_unit: string;
}

export interface CapacityHistoryTable {
  id: Generated<number>;
  circuit_id: string;
  at: Timestamp;
  static_capacity_a: number;
  effective_capacity_a: number;
  source: Json<Record<string, unknown>>;
}

export interface MeterReadingsTable {
  id: Generated<number>;
  charger_id: string;
  session_id: string | null;
  measured_at: Timestamp;
  energy_wh: number;
  power_w: number;
  current_a: number;
}

export interface CircuitBreachWatchTable {
  circuit_id: string;
  tolerance_percent: Generated<number>;
  tolerance_a: Generated<number>;
  hold_seconds: Generated<number>;
  worsening_percent: Generated<number>;
  over_since: Timestamp | null;
  within_since: Timestamp | null;
  open_episode_id: string | null;
  updated_at: Timestamp;
}

export interface BreachEpisodesTable {
  id: string;
  circuit_id: string;
  phase: string;
  limit_a: number;
  measured_a: number;
  since: Timestamp;
  started_at: Timestamp;
  limit_source: Json<Record<string, unknown>>;
  reported_excess_a: number;
  peak_a: number;
  peak_phase: string;
  worsened_at: Timestamp | null;
  worsened_phase: string | null;
  worsened_measured_a: number | null;
  worsened_limit_a: number | null;
  worsened_limit_source: Json<Record<string, unknown>> | null;
  ended_at: Timestamp | null;
  end_confirmed_at: Timestamp | null;
}

export interface OscpBreachReportsTable {
  connection_id: string;
  episode_id: string;
  circuit_id: string;
  forecast_request_id: string;
  context: Json<Record<string, unknown>>;
  started_request_id: string;
  started_at: Timestamp;
  worsened_request_id: string | null;
  worsened_at: Timestamp | null;
  ended_at: Timestamp | null;
}

export interface SecretsTable {
  name: string;
  ciphertext: string;
  iv: string;
  auth_tag: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface OscpConnectionsTable {
  id: string;
  display_name: string;
  group_id: string;
  microgrid_id: string;
  scope_id: string;
  enabled: boolean;
  state: string;
  profile: Json;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  lifecycle: Generated<Json>;
  configuration_version: Generated<number>;
  deleted_at: Timestamp | null;
}

export interface OscpConnectionProblemsTable {
  id: Generated<number>;
  connection_id: string;
  kind: string;
  subject: Generated<string>;
  first_seen: Timestamp;
  last_seen: Timestamp;
  count: Generated<number>;
  detail: Json;
  cleared_at: Timestamp | null;
}

export interface OscpInboundRefusalsTable {
  id: Generated<number>;
  minute: Timestamp;
  first_at: Timestamp;
  last_at: Timestamp;
  repeats: Generated<number>;
  source: string;
  endpoint: string;
  status: number;
  reason: string;
  reason_key: string;
  connection_id: string | null;
  connection_key: string;
  credential: string | null;
  request_id: string | null;
  authorization_scheme: string | null;
}

export interface OscpPeerCredentialsTable {
  id: string;
  connection_id: string;
  kind: string;
  secret_hash: string;
  client_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface OscpInboundRequestsTable {
  connection_id: string;
  request_id: string;
  endpoint: string;
  received_at: Timestamp;
}

export interface OutboundMessagesTable {
  id: string;
  connection_id: string;
  kind: string;
  body: Json;
  request_id: string;
  correlation_id: string | null;
  dedupe_key: string | null;
  status: string;
  attempts: Generated<number>;
  max_attempts: number;
  next_attempt_at: Timestamp;
  lease_until: Timestamp | null;
  last_error: string | null;
  last_http_status: number | null;
  last_url: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  delivered_at: Timestamp | null;
}

export interface OscpForecastBlocksTable {
  id: Generated<number>;
  connection_id: string;
  type: string;
  start_at: Timestamp;
  end_at: Timestamp;
  limit_value: number;
  limit_unit: string;
  wire: Json;
  request_id: string;
  received_at: Timestamp;
}

export interface OscpControlTable {
  connection_id: string;
  mode: string;
  reason: string;
  mode_since: Timestamp;
  envelope_id: string | null;
  envelope_fingerprint: string | null;
  standby_envelope_id: string | null;
  standby_fingerprint: string | null;
  forecast_received: Generated<boolean>;
  last_forecast: Json | null;
  disconnected_at: Timestamp | null;
  incident_id: string | null;
  updated_at: Timestamp;
}

export interface NotificationsTable {
  id: string;
  kind: string;
  severity: string;
  title: string;
  message: string;
  context: Json;
  created_at: Timestamp;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
}

export interface IncidentsTable {
  id: string;
  kind: string;
  status: string;
  title: string;
  context: Json;
  opened_at: Timestamp;
  resolved_at: Timestamp | null;
  resolution: string | null;
}

export interface OcppChargePointsTable {
  charger_id: string;
  charge_point_id: string;
  connector_ids: number[];
  password_hash: string | null;
  password_set_at: Timestamp | null;
  created_at: Timestamp;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  booted_at: Timestamp | null;
  connection_id: string | null;
  instance_id: string | null;
  connected_at: Timestamp | null;
  disconnected_at: Timestamp | null;
  last_message_at: Timestamp | null;
  connector_status: Generated<Json>;
}

export interface OcppIdTagPoliciesTable {
  microgrid_id: string;
  mode: string;
  id_tags: string[];
  updated_at: Timestamp;
}

export interface OcppTransactionsTable {
  transaction_id: Generated<number>;
  charger_id: string;
  connector_id: number;
  id_tag: string;
  id_tag_status: string;
  session_id: string | null;
  meter_start_wh: number;
  started_at: Timestamp;
  stopped_at: Timestamp | null;
  meter_stop_wh: number | null;
  stop_reason: string | null;
}

export interface OcppChargingLimitsTable {
  charger_id: string;
  transaction_id: number | null;
  connector_id: number;
  number_phases: number;
  desired_a: number;
  desired_at: Timestamp;
  state: string;
  attempt: Generated<number>;
  lease_until: Timestamp | null;
  sent_a: number | null;
  sent_at: Timestamp | null;
  answer: string | null;
  answered_at: Timestamp | null;
  answer_detail: string | null;
  answered_connection_id: string | null;
}

export interface OcppMessageLogTable {
  id: Generated<number>;
  charger_id: string;
  at: Timestamp;
  direction: string;
  kind: string;
  action: string;
  message_id: string;
  payload: Json<Record<string, unknown> | unknown[]>;
}

export interface ScopeEnergySecondsTable {
  scope_id: string;
  second_end: Timestamp;
  energy_wh: number;
}

export interface ScopeEnergyRegistersTable {
  scope_id: string;
  folded_wh: number;
  folded_until: Timestamp;
}

export interface OscpMeasurementsTable {
  id: string;
  connection_id: string;
  scope_id: string;
  group_id: string;
  kind: string;
  configuration: string;
  window_start: Timestamp;
  window_end: Timestamp;
  energy_wh: number;
  register_wh: number;
  max_load_w: number;
  max_load_at: Timestamp | null;
  readings: number;
  outbound_message_id: string;
  request_id: string;
  body: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface Database {
  ocpp_charge_points: OcppChargePointsTable;
  ocpp_id_tag_policies: OcppIdTagPoliciesTable;
  ocpp_transactions: OcppTransactionsTable;
  ocpp_charging_limits: OcppChargingLimitsTable;
  ocpp_message_log: OcppMessageLogTable;
  oscp_forecast_blocks: OscpForecastBlocksTable;
  oscp_control: OscpControlTable;
  notifications: NotificationsTable;
  incidents: IncidentsTable;
  outbound_messages: OutboundMessagesTable;
  oscp_peer_credentials: OscpPeerCredentialsTable;
  oscp_inbound_requests: OscpInboundRequestsTable;
  oscp_connection_problems: OscpConnectionProblemsTable;
  oscp_inbound_refusals: OscpInboundRefusalsTable;
  secrets: SecretsTable;
  oscp_connections: OscpConnectionsTable;
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  api_tokens: ApiTokensTable;
  events: EventsTable;
  scheduled_work: ScheduledWorkTable;
  microgrids: MicrogridsTable;
  circuits: CircuitsTable;
  managed_scopes: ManagedScopesTable;
  scope_circuits: ScopeCircuitsTable;
  chargers: ChargersTable;
  charging_sessions: ChargingSessionsTable;
  allocations: AllocationsTable;
  envelopes: EnvelopesTable;
  envelope_blocks: EnvelopeBlocksTable;
  capacity_history: CapacityHistoryTable;
  meter_readings: MeterReadingsTable;
  circuit_breach_watch: CircuitBreachWatchTable;
  breach_episodes: BreachEpisodesTable;
  oscp_breach_reports: OscpBreachReportsTable;
  scope_energy_seconds: ScopeEnergySecondsTable;
  scope_energy_registers: ScopeEnergyRegistersTable;
  oscp_measurements: OscpMeasurementsTable;
}
