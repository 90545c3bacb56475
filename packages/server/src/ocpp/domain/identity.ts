/**
 * A charge point id is the last segment of the URL the charger connects to and the user name of its
 * Basic auth: printable, no slash or colon (RFC 7617 user names cannot hold one), at most 48
 * characters (the OCPP 2.0.1 limit, also fine for 1.6 chargers).
 */
export const CHARGE_POINT_ID_PATTERN = /^[A-Za-z0-9._~*+@=-]{1,48}$/;

export function isValidChargePointId(id: string): boolean {
  return CHARGE_POINT_ID_PATTERN.test(id);
}

/** Connector ids are 1, 2, …; connector 0 means the whole charge point in OCPP. */
export function isValidConnectorIds(ids: readonly number[]): boolean {
  return (
    ids.length > 0 &&
    ids.every((id) => Number.isInteger(id) && id >= 1 && id <= 99) &&
    new Set(ids).size === ids.length
  );
}
