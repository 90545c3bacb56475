/**
 * Why a charger's call was refused, as the OCPP-J CALLERROR code the spec defines for it. App code
 * throws these; the WebSocket edge turns them into CALLERRORs.
 */
export type OcppErrorCode =
  'PropertyConstraintViolation' | 'SecurityError' | 'InternalError' | 'GenericError';

export class OcppCallRefused extends Error {
  constructor(
    readonly code: OcppErrorCode,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Management commands' failures, mapped to problem responses by the routes. */
export class ChargePointError extends Error {
  constructor(
    readonly kind: 'NOT_FOUND' | 'CONFLICT' | 'INVALID',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
