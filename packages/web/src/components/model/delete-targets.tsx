import type { ReactNode } from 'react';
import { deleteCharger, deleteCircuit, deleteMicrogrid, deleteScope } from '../../api/microgrid';
import type { ChargerView, CircuitSummary, MicrogridSummary, ScopeSummary } from '../../api/types';

/** A deletion waiting for confirmation: what it says, what it does, and the toast after. */
export interface DeleteTarget {
  title: string;
  body: ReactNode;
  done: string;
  run: () => Promise<void>;
}

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export const deleteMicrogridTarget = (m: MicrogridSummary): DeleteTarget => {
  const chargers = m.circuits.reduce((n, c) => n + c.chargerCount, 0);
  return {
    title: `Delete microgrid ${m.name}?`,
    body: (
      <>
        This deletes the microgrid <b>{m.name}</b> and everything in it:{' '}
        {plural(m.circuits.length, 'circuit')}, {plural(chargers, 'charger')} and{' '}
        {plural(m.scopes.length, 'managed scope')}. This cannot be undone.
      </>
    ),
    done: `Microgrid ${m.name} deleted.`,
    run: () => deleteMicrogrid(m.id),
  };
};
export const deleteCircuitTarget = (c: CircuitSummary): DeleteTarget => ({
  title: `Delete circuit ${c.name}?`,
  body: (
    <>
      This deletes the circuit <b>{c.name}</b> and its {plural(c.chargerCount, 'charger')}
      {c.activeSessionCount > 0
        ? `, ending ${plural(c.activeSessionCount, 'charging session')}`
        : ''}
      . Managed scopes mapped to it lose this circuit. This cannot be undone.
    </>
  ),
  done: `Circuit ${c.name} deleted.`,
  run: () => deleteCircuit(c.id),
});
export const deleteScopeTarget = (s: ScopeSummary): DeleteTarget => ({
  title: `Delete managed scope ${s.name}?`,
  body: (
    <>
      This deletes the managed scope <b>{s.name}</b>. Envelopes sent for it will be rejected, and
      its open envelopes stop applying. This cannot be undone.
    </>
  ),
  done: `Scope ${s.name} deleted.`,
  run: () => deleteScope(s.id),
});
export const deleteChargerTarget = (ch: ChargerView): DeleteTarget => ({
  title: `Delete charger ${ch.name}?`,
  body: (
    <>
      This deletes the charger <b>{ch.name}</b>
      {ch.session ? ' and ends its charging session' : ''}. This cannot be undone.
    </>
  ),
  done: `Charger ${ch.name} deleted.`,
  run: () => deleteCharger(ch.id),
});
