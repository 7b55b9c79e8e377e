import { TimeSlices } from '@berth/core';
import { childPidsSync, isDead, type ProcStat, readProcessTable, readProcStatSync } from '@berth/host';

/** A workload's leader process, known by pid and start time; `key` names it in the result. */
export interface TreeRoot {
  key: string;
  pid: number;
  startTicks: number;
}

/**
 * The live process tree of each workload, for resource samples. Each tree is walked from its
 * leader through /proc/<pid>/task/<tid>/children, so a pass reads the workloads' processes, not
 * the machine's (reading the whole table every 5 s made the idle cost follow the machine's process
 * count). Members of a workload's group that were reparented away are not anyone's children: a
 * pass reads the whole table and finds them when a process of a workload's tree ended since the
 * pass before (its children were handed on), and one pass in FULL_TABLE_EVERY anyway; the walks
 * in between count those found. Without the children files (kernels built without
 * CONFIG_PROC_CHILDREN) every pass reads the table.
 */
export class ProcessTrees {
  private passes = 0;
  private walkUnsupported = false;
  /** A process of some workload's tree ended since the last pass: the next one reads the table. */
  private treeShrank = false;
  /** Each workload's tree (pids) at the last pass. */
  private readonly lastTrees = new Map<string, Set<number>>();
  /** Members of a workload's group found outside its tree by the last full pass, by key. */
  private readonly strays = new Map<string, ProcStat[]>();

  /** The trees of the roots that are running, by key; a root that is gone is left out. */
  async of(roots: TreeRoot[]): Promise<Map<string, ProcStat[]>> {
    const full = this.walkUnsupported || this.treeShrank || this.passes++ % FULL_TABLE_EVERY === 0;
    this.treeShrank = false;
    let index = full ? indexTable(await readProcessTable()) : undefined;
    const out = new Map<string, ProcStat[]>();
    // 20 µs to 1 ms of reads a workload (quiet machine to busy one): 10,000 in one go held the
    // event loop (and GET /instances) ~0.5 s.
    const slices = new TimeSlices();
    for (const root of roots) {
      if (slices.due()) await slices.turn();
      let tree: ProcStat[] | undefined;
      if (!index) {
        const walked = this.walk(root);
        if (walked === 'unsupported') {
          this.walkUnsupported = true;
          index = indexTable(await readProcessTable());
        } else tree = walked;
      }
      if (index) {
        const leader = index.byPid.get(root.pid);
        if (!leader || leader.startTicks !== root.startTicks || isDead(leader)) continue;
        tree = treeOf(leader, index);
        const strays = tree.filter((s) => s.pgid === leader.pgid && !hasAncestor(s, leader.pid, index!));
        if (strays.length > 0) this.strays.set(root.key, strays);
        else this.strays.delete(root.key);
      }
      if (!tree) continue;
      out.set(root.key, tree);
      this.remember(root.key, tree);
    }
    for (const key of this.strays.keys()) if (!out.has(key)) this.strays.delete(key);
    for (const key of this.lastTrees.keys()) if (!out.has(key)) this.lastTrees.delete(key);
    return out;
  }

  /**
   * Keeps the tree's pids and notes whether one of the last pass's is gone. The set is replaced
   * only when the tree changed: a new set per workload every pass (10,000 every 5 s) lived long
   * enough to be promoted, and its collection held the event loop.
   */
  private remember(key: string, tree: ProcStat[]): void {
    const last = this.lastTrees.get(key);
    if (last?.size === tree.length && tree.every((s) => last.has(s.pid))) return;
    const pids = new Set(tree.map((s) => s.pid));
    for (const pid of last ?? []) if (!pids.has(pid)) this.treeShrank = true;
    this.lastTrees.set(key, pids);
  }

  /** The root's live tree read from its pid down, plus its known strays; undefined when it is not running. */
  private walk(root: TreeRoot): ProcStat[] | undefined | 'unsupported' {
    const leader = readProcStatSync(root.pid);
    if (!leader || leader.startTicks !== root.startTicks || isDead(leader)) return undefined;
    const tree = [leader];
    const pids = new Set([leader.pid]);
    for (let i = 0; i < tree.length; i++) {
      const children = childPidsSync(tree[i]!.pid, tree[i]!.numThreads);
      if (children === undefined) {
        if (i === 0) return 'unsupported';
        continue; // that child ended since its parent was read
      }
      for (const pid of children) {
        const s = pids.has(pid) ? undefined : readProcStatSync(pid);
        if (s) {
          pids.add(pid);
          tree.push(s);
        }
      }
    }
    for (const stray of this.strays.get(root.key) ?? []) {
      if (pids.has(stray.pid)) continue;
      const s = readProcStatSync(stray.pid);
      if (s && s.startTicks === stray.startTicks && s.pgid === leader.pgid) tree.push(s);
    }
    return tree.filter((s) => !isDead(s));
  }
}

/** Full passes among the walked ones (one a minute at the sampler's 5 s). */
const FULL_TABLE_EVERY = 12;

/** True when `s` descends from `pid` by parent links in the table. */
function hasAncestor(s: ProcStat, pid: number, index: TableIndex): boolean {
  let cur: ProcStat | undefined = s;
  for (let hops = 0; cur && hops < 4096; hops++) {
    if (cur.pid === pid) return true;
    cur = cur.ppid > 0 ? index.byPid.get(cur.ppid) : undefined;
  }
  return false;
}

interface TableIndex {
  byPid: Map<number, ProcStat>;
  children: Map<number, ProcStat[]>;
  byGroup: Map<number, ProcStat[]>;
}

/** One pass over the table, so a sample of 1,000 workloads does not walk it 1,000 times. */
function indexTable(table: ProcStat[]): TableIndex {
  const index: TableIndex = { byPid: new Map(), children: new Map(), byGroup: new Map() };
  for (const s of table) {
    index.byPid.set(s.pid, s);
    push(index.children, s.ppid, s);
    push(index.byGroup, s.pgid, s);
  }
  return index;
}

function push(map: Map<number, ProcStat[]>, key: number, s: ProcStat): void {
  const list = map.get(key);
  if (list) list.push(s);
  else map.set(key, [s]);
}

/** The leader, its descendants, and any member of its group that was reparented away. */
function treeOf(leader: ProcStat, index: TableIndex): ProcStat[] {
  const tree = [leader];
  for (let i = 0; i < tree.length; i++) {
    for (const child of index.children.get(tree[i]!.pid) ?? []) tree.push(child);
  }
  for (const s of index.byGroup.get(leader.pgid) ?? []) if (!tree.includes(s)) tree.push(s);
  return tree.filter((s) => !isDead(s));
}
