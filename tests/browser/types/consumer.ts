// A page's use of the annotator's module and a requester's use of the
// dashboard's, as the README shows them, checked by `tsc --strict` against
// the generated declarations (types.test.mjs).
import init, {
  Session, parseLabel, version,
  type Batch, type Verdict, type Report, type SessionStats, type PublicTask, type Label,
} from '../../../www/pkg/prefkit.js';
import {
  report, LiveAgreement, simulateCrowd, Session as LabSession, SimulatedWorker,
  type SimulatedCrowd, type SimulatedAct,
} from '../../../www/pkg/prefkit_lab.js';

export async function annotate(task: object, bytes: Uint8Array): Promise<string[]> {
  await init({ module_or_path: bytes });
  const s = new Session(task, 7);
  const seed: number = s.seed;
  const pub: PublicTask = s.publicTask();
  const batch: Batch = s.nextBatch('w1');
  const posted: string[] = [];
  for (const item of batch.items) {
    const v: Verdict = s.submit({
      id: `${seed}-${item.id}`, item: item.id, annotator: 'w1', choice: 'A>', time_seconds: 12.5,
    });
    const label: Label = v.annotation.label;
    if (v.gold !== null && !v.gold.correct) posted.push(`wrong gold: ${v.gold.label}`);
    if (v.status === 'flagged' && v.flag !== null) posted.push(`flagged at ${v.flag.gold_accuracy}`);
    posted.push(JSON.stringify(v.annotation), label);
  }
  const stats: SessionStats = s.stats();
  posted.push(String(stats.session.batches), String(stats.agreement.pairwise ?? 'n/a'));
  posted.push(pub.task_id, String(pub.config.batch_size), batch.batch_id ?? 'empty');
  s.free();
  return posted;
}

export function summarize(jsonl: string, gold: string): (number | null)[] {
  const r: Report = report(jsonl, gold, { min_reliability: 0.5, agreement: { min_shared: 3 } });
  const live = new LiveAgreement();
  live.add({ item: 'ex-1', annotator: 'w1', label: 'A>' });
  const other = new LiveAgreement({ min_reliability: 0.5 });
  other.add({ item: 'ex-1', annotator: 'w2', label: 'B>', swapped: true });
  live.merge(other);
  const snap: Report = live.snapshot();
  const shortLabel: string = parseLabel('B>>A');
  return [
    r.agreement.krippendorff_alpha.ordinal, r.dawid_skene?.iterations ?? null,
    snap.agreement.pairwise, live.length, shortLabel.length, version().length,
  ];
}

export function simulate(task: object): (string | number)[] {
  const s = new LabSession(task, 7);
  const w = new SimulatedWorker({ seed: 3, annotators: [{ id_prefix: 'left', left_bias: 0.8 }] }, 'left-1');
  const out: (string | number)[] = [w.name];
  if (!w.abandons()) {
    for (const item of s.nextBatch(w.name).items) {
      const act: SimulatedAct = w.act(s, item.id);
      out.push('choice' in act ? act.choice : act.skip, act.seconds);
    }
  }
  const sim: SimulatedCrowd = simulateCrowd(task, { seed: 1, annotators: [{ count: 3, accuracy: 0.9 }] }, 1764000000);
  out.push(sim.annotations.length, sim.skips.length, sim.batches, sim.walked_away);
  return out;
}
