import { z } from 'zod';

/** Request and response shapes of the OCPP management API (not the protocol, which is OCPP-J). */

export const chargerParams = z.object({ id: z.uuid('must be a UUID') });

export const assignIdentityBody = z.object({
  chargePointId: z.string().trim().min(1, 'is required').max(48, 'at most 48 characters'),
  connectorIds: z
    .array(z.number().int('must be whole numbers').min(1, 'start at 1').max(99))
    .min(1, 'at least one connector')
    .max(10)
    .default([1]),
});

export const idTagPolicyBody = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('ACCEPT_ALL') }),
  z.object({
    mode: z.literal('ALLOW_LIST'),
    idTags: z
      .array(z.string().trim().min(1).max(20, 'OCPP id tags have at most 20 characters'))
      .max(10_000),
  }),
]);
export type IdTagPolicyView = z.infer<typeof idTagPolicyBody>;

export const limitAnswer = z.enum(['ACCEPTED', 'REJECTED', 'NOT_SUPPORTED', 'TIMEOUT', 'FAILED']);

export const chargePointView = z.object({
  chargerId: z.string(),
  chargePointId: z.string(),
  connectorIds: z.array(z.number()),
  passwordSetAt: z.string().nullable(),
  online: z.boolean(),
  connectedAt: z.string().nullable(),
  disconnectedAt: z.string().nullable(),
  lastMessageAt: z.string().nullable(),
  boot: z
    .object({
      vendor: z.string(),
      model: z.string(),
      serialNumber: z.string().nullable(),
      firmwareVersion: z.string().nullable(),
      bootedAt: z.string(),
    })
    .nullable(),
  connectors: z.array(
    z.object({
      connectorId: z.number(),
      status: z.string(),
      errorCode: z.string(),
      info: z.string().optional(),
      vendorErrorCode: z.string().optional(),
      at: z.string(),
    }),
  ),
  transaction: z.object({ transactionId: z.number(), connectorId: z.number() }).nullable(),
  /** The limit for the running transaction: what we want, what went out, and the answer. */
  limit: z
    .object({
      desiredA: z.number(),
      state: z.enum(['PENDING', 'SENDING', 'DONE']),
      sentA: z.number().nullable(),
      sentAt: z.string().nullable(),
      answer: limitAnswer.nullable(),
      answeredAt: z.string().nullable(),
      answerDetail: z.string().nullable(),
    })
    .nullable(),
});
export type ChargePointView = z.infer<typeof chargePointView>;

export const circuitChargePoints = z.object({ chargePoints: z.array(chargePointView) });
export type CircuitChargePoints = z.infer<typeof circuitChargePoints>;

export const messageLog = z.object({
  entries: z.array(
    z.object({
      id: z.number(),
      at: z.string(),
      direction: z.enum(['IN', 'OUT']),
      kind: z.enum(['CALL', 'RESULT', 'ERROR']),
      action: z.string(),
      messageId: z.string(),
      payload: z.unknown(),
    }),
  ),
});
export type MessageLog = z.infer<typeof messageLog>;

export const newPassword = z.object({
  chargePointId: z.string(),
  /** Shown once: only its hash is stored. */
  password: z.string(),
  url: z.string(),
});
export type NewPassword = z.infer<typeof newPassword>;

export const ocppInfo = z.object({ url: z.string(), subprotocol: z.string() });
export type OcppInfo = z.infer<typeof ocppInfo>;
