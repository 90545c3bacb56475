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
