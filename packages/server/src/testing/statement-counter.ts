import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/**
 * Counts the SQL statements the app executes (a Kysely plugin on the app's database), for tests
 * that hold a request to a fixed number of round trips. Counted when a result comes back, so a
 * statement built but never run, or a sub-query inside another, does not count; BEGIN and COMMIT
 * are issued by the driver and are not seen.
 */
export class StatementCounter implements KyselyPlugin {
  #count = 0;
  #kinds: string[] = [];
  readonly #kindOf = new WeakMap<object, string>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#kindOf.set(args.queryId, args.node.kind);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.#count += 1;
    this.#kinds.push(this.#kindOf.get(args.queryId) ?? 'unknown');
    return args.result;
  }

  /** Runs `work` and returns how many statements it executed, with their kinds in order. */
  async during(work: () => Promise<unknown>): Promise<{ count: number; kinds: string[] }> {
    const before = this.#count;
    const kindsBefore = this.#kinds.length;
    await work();
    return { count: this.#count - before, kinds: this.#kinds.slice(kindsBefore) };
  }
}
