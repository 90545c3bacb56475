/**
 * A refused simulator operation. `status` is the HTTP status the control API answers with, so the
 * same error reads well from TypeScript and over HTTP.
 */
export class SimError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}
