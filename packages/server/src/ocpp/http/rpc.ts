// ocpp-rpc is CommonJS and spreads part of its exports (the error classes), which Node's ESM loader
// cannot see as named exports: take them from the default export, in one place.
import ocppRpc from 'ocpp-rpc';

export const {
  RPCServer,
  RPCClient,
  RPCError,
  TimeoutError,
  UnexpectedHttpResponse,
  createRPCError,
} = ocppRpc;
export type RPCServer = InstanceType<typeof ocppRpc.RPCServer>;
export type RPCClient = InstanceType<typeof ocppRpc.RPCClient>;
export type UnexpectedHttpResponse = InstanceType<typeof ocppRpc.UnexpectedHttpResponse>;
