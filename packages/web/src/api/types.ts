import type { z } from 'zod';
import type * as auth from '@openvelope/server/auth-contract';
import type * as depot from '@openvelope/server/contract';
import type * as notifications from '@openvelope/server/notifications-contract';
import type * as oscp from '@openvelope/server/oscp-contract';

/**
 * The shapes the console reads and sends, each inferred from the server's own schema. A schema's
 * input side is what travels as JSON (the server encodes its answers into it, and parses requests
 * from it), so that is the side the console sees.
 */
export type Wire<Schema extends z.ZodType> = z.input<Schema>;

export type { Role } from '@openvelope/server/roles';

// Sign-in, tokens, users
export type SessionUser = Wire<typeof auth.sessionUser>;
export type UserView = Wire<typeof auth.userView>;
export type UpdatedUser = Wire<typeof auth.updatedUser>;
export type ApiTokenView = Wire<typeof auth.apiTokenView>;
export type CreatedApiToken = Wire<typeof auth.createdApiToken>;
export type CreateUserBody = Wire<typeof auth.createUserBody>;
export type UpdateUserBody = Wire<typeof auth.updateUserBody>;

// Depot
export type Phase = Wire<typeof depot.phaseSchema>;
export type BindingView = Wire<typeof depot.bindingView>;
export type CapacitySourceView = Wire<typeof depot.capacitySourceView>;
export type CapacityHistory = Wire<typeof depot.capacityHistory>;
export type ChargerView = Wire<typeof depot.chargerView>;
export type CircuitDetail = Wire<typeof depot.circuitDetail>;
export type CircuitSummary = Wire<typeof depot.circuitSummary>;
export type EnvelopeList = Wire<typeof depot.envelopeList>;
export type EnvelopeView = Wire<typeof depot.envelopeView>;
export type MicrogridList = Wire<typeof depot.microgridList>;
export type MicrogridSummary = Wire<typeof depot.microgridSummary>;
export type MicrogridView = Wire<typeof depot.microgridView>;
export type ScopeSummary = Wire<typeof depot.scopeSummary>;
export type CreatedId = Wire<typeof depot.createdId>;
export type SubmitEnvelopeBody = Wire<typeof depot.submitEnvelopeBody>;
export type CreateMicrogridBody = Wire<typeof depot.createMicrogridBody>;
export type UpdateMicrogridBody = Wire<typeof depot.updateMicrogridBody>;
export type CreateCircuitBody = Wire<typeof depot.createCircuitBody>;
export type UpdateCircuitBody = Wire<typeof depot.updateCircuitBody>;
export type CreateScopeBody = Wire<typeof depot.createScopeBody>;
export type UpdateScopeBody = Wire<typeof depot.updateScopeBody>;
export type CreateChargerBody = Wire<typeof depot.createChargerBody>;
export type UpdateChargerBody = Wire<typeof depot.updateChargerBody>;
export type StartSessionBody = Wire<typeof depot.startSessionBody>;
export type CircuitBreaches = Wire<typeof depot.circuitBreaches>;
export type BreachEpisodeView = Wire<typeof depot.breachEpisodeView>;
export type BreachSettingsBody = Wire<typeof depot.breachSettingsBody>;

// OSCP connections
export type ConnectionSummary = Wire<typeof oscp.connectionSummary>;
export type ConnectionName = Wire<typeof oscp.connectionName>;
export type ConnectionDetail = Wire<typeof oscp.connectionDetail>;
export type CreateConnectionBody = Wire<typeof oscp.createConnectionBody>;
export type EditConnectionBody = Wire<typeof oscp.editConnectionBody>;
export type HistoryEntry = Wire<typeof oscp.historyEntry>;
export type PresetView = Wire<typeof oscp.presetView>;
export type OperatorMessageOffers = Wire<typeof oscp.operatorMessageOffers>;
export type AcceptedForecastView = Wire<typeof oscp.acceptedForecastView>;
export type BreachReportView = Wire<typeof oscp.breachReportView>;
export type AdjustmentRequestBody = Wire<typeof oscp.adjustmentRequestBody>;
export type ComplianceErrorBody = Wire<typeof oscp.complianceErrorBody>;
export type SentToPeer = Wire<typeof oscp.sentToPeer>;
export type Publication = Wire<typeof oscp.publicationView>;
export type MeasurementList = Wire<typeof oscp.measurementList>;
export type MeasurementView = Wire<typeof oscp.measurementView>;
export type MeasurementCadence = Wire<typeof oscp.measurementCadenceView>;
export type ProblemView = Wire<typeof oscp.problemView>;
export type ReregisterBody = Wire<typeof oscp.reregisterBody>;
export type Reregistered = Wire<typeof oscp.reregistered>;
export type RefusalView = Wire<typeof oscp.refusalView>;
export type RefusalList = Wire<typeof oscp.refusalList>;
export type { ReregistrationCredential, TimelineItem } from '@openvelope/server/oscp-contract';
export type ControlView = Wire<typeof oscp.controlView>;
export type SecretView = Wire<typeof oscp.secretView>;
export type OscpInfo = Wire<typeof oscp.oscpInfo>;
export type IssuedOAuthClient = Wire<typeof oscp.issuedOAuthClient>;

// Notifications and incidents
export type NotificationView = Wire<typeof notifications.notificationView>;
export type IncidentView = Wire<typeof notifications.incidentView>;
export type NotificationPage = Wire<typeof notifications.notificationPage>;

/** One page of a paged list, as every paged route answers. */
export interface Page<Item> {
  items: Item[];
  total: number;
}
