// `npm run sim -- <group> <command> …`: command-line entry of the simulators.
// Groups: `cp` (Capacity Provider simulator) and `depot` (the OCPP depot simulator's scenarios).
import { CP_USAGE, runCpCli } from './cp/cli';
import { DEPOT_USAGE, runDepotCli } from './depot/cli';

interface CommandGroup {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const GROUPS: Record<string, CommandGroup> = {
  cp: {
    summary: 'Capacity Provider simulator (OSCP 2.0 peer with a control API)',
    usage: CP_USAGE,
    run: (args) => runCpCli(args),
  },
  depot: {
    summary: 'Depot simulator (OCPP charge points): breach scenarios on a running one',
    usage: DEPOT_USAGE,
    run: (args) => runDepotCli(args),
  },
};

function help(): string {
  const groups = Object.entries(GROUPS)
    .map(([name, group]) => `  ${name.padEnd(8)} ${group.summary}`)
    .join('\n');
  return `Usage: npm run sim -- <group> <command> [options]\n\nGroups:\n${groups}\n\n${Object.values(
    GROUPS,
  )
    .map((g) => g.usage)
    .join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help());
    return 0;
  }
  const group = GROUPS[name];
  if (!group) {
    process.stderr.write(`unknown command group: ${name}\n\n${help()}`);
    return 2;
  }
  return group.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
