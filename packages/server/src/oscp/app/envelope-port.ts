import type { EnvelopeService } from '../../microgrid/app/envelopes';

/** The slice of the microgrid's OperatingEnvelope contract OSCP uses, inside its own transactions. */
export type EnvelopePort = Pick<EnvelopeService, 'changeWithin'>;
