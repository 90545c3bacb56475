// ocpp-rpc is CommonJS: take its classes from the default export, which Node's ESM loader always has.
import ocppRpc from 'ocpp-rpc';

export const { RPCClient } = ocppRpc;
export type RPCClient = InstanceType<typeof ocppRpc.RPCClient>;
