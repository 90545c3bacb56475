import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database';
import * as platform from './migrations/0001-platform';
import * as microgrid from './migrations/0002-microgrid';
import * as oscpConnections from './migrations/0003-oscp-connections';
import * as outbound from './migrations/0004-outbound-messages';
import * as oscpLifecycle from './migrations/0005-oscp-lifecycle';
import * as forecasts from './migrations/0006-forecasts-and-control';
import * as retention from './migrations/0007-retention-indexes';
import * as meterRetention from './migrations/0008-meter-reading-retention';
import * as eventSubjects from './migrations/0009-event-subjects';
import * as problems from './migrations/0010-problems-and-refusals';
import * as connectionDeletion from './migrations/0011-connection-deletion';
import * as ocpp from './migrations/0020-ocpp';
import * as energyRegisters from './migrations/0040-scope-energy-registers';
import * as oscpMeasurements from './migrations/0041-oscp-measurements';
import * as breachDetection from './migrations/0050-breach-detection';
import * as breachCompliance from './migrations/0051-breach-compliance';
import * as envelopePaging from './migrations/0060-envelope-paging';

/** Migrations are code, imported statically so a bundle or a test runs exactly the same list. */
const migrations: Record<string, Migration> = {
  '0001-platform': platform,
  '0002-microgrid': microgrid,
  '0003-oscp-connections': oscpConnections,
  '0004-outbound-messages': outbound,
  '0005-oscp-lifecycle': oscpLifecycle,
  '0006-forecasts-and-control': forecasts,
  '0007-retention-indexes': retention,
  '0008-meter-reading-retention': meterRetention,
  '0009-event-subjects': eventSubjects,
  '0010-problems-and-refusals': problems,
  '0011-connection-deletion': connectionDeletion,
  '0020-ocpp': ocpp,
  '0040-scope-energy-registers': energyRegisters,
  '0041-oscp-measurements': oscpMeasurements,
  '0050-breach-detection': breachDetection,
  '0051-breach-compliance': breachCompliance,
  '0060-envelope-paging': envelopePaging,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<void> {
  // Numbers are ranges per area (0040s measurements, 0050s breaches…), merged in any order: each
  // migration stands alone, so one added below an applied one still runs.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? '');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}
