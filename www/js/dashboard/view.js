// Turns the core's report, summary and agreement of the kept annotators
// into the small view model the page draws. Selection and reshaping only:
// every figure is the core's (shapes as in types/ and src/report/mod.rs).
// Runs in the worker so the page receives kilobytes, not the whole report.

import { number } from './exports.js';

/** The report's label order (the rows and columns of the confusion matrices). */
const LABELS = ['A>>', 'A>', '=', 'B>', 'B>>'];

const HEATMAP_MAX = 30;

export const METRICS = [
  ['pairwise', 'Pairwise agreement'],
  ['pairwise_directional', 'Pairwise agreement (direction)'],
  ['fleiss_kappa', "Fleiss' kappa"],
  ['krippendorff_alpha.ordinal', "Krippendorff's alpha (ordinal)"],
  ['krippendorff_alpha.nominal', "Krippendorff's alpha (nominal)"],
  ['krippendorff_alpha.interval', "Krippendorff's alpha (interval)"],
];

function get(obj, path) {
  let v = obj;
  for (const k of path.split('.')) v = v?.[k];
  return v;
}

/** Band, range, action and interval note of a figure (keyed by its dotted name), or null. */
function interpretation(agreement, path) {
  const i = agreement.interpretation[path];
  return i ? { band: i.band, range: i.range, action: i.action, interval_note: i.interval_note ?? null } : null;
}

/** Why a figure is null (`undefined`, keyed like `interpretation`). */
function reason(agreement, path) {
  return agreement.undefined[path] ?? null;
}

const CONFUSION_CHOICES = 100;

/**
 * The agreement figures of one AgreementReport as cards: value, band and
 * action, the reason when undefined, and the bootstrap interval when the
 * report has one (`ci`).
 */
export function agreementCards(ag) {
  return METRICS.map(([path, title]) => {
    const raw = get(ag, path);
    const interval = ag.ci ? get(ag.ci, path) : undefined;
    return {
      key: path, title, value: number(raw), reason: reason(ag, path), interpretation: interpretation(ag, path),
      ci: Array.isArray(interval) ? interval : null,
      ci_reason: ag.ci ? (ag.ci.undefined?.[path] ?? (interval === null ? 'undefined on too many resamples' : null)) : null,
    };
  });
}

export function viewModel(report, summary, timeline, keptAgreement, keptTimeline, config, aggregation) {
  const ag = report.agreement ?? {};
  const headline = agreementCards(ag);
  const kept = agreementCards(keptAgreement);

  // Final label counts: from the core's label_counts when it sent no label maps.
  const finals = {};
  for (const method of ['majority', 'weighted', 'dawid_skene']) {
    let dist = [0, 0, 0, 0, 0];
    const fromCore = report.label_counts?.[method];
    if (fromCore) {
      dist = Array.from(fromCore);
    } else {
      for (const l of Object.values(report.labels?.[method] ?? {})) {
        const k = LABELS.indexOf(l);
        if (k >= 0) dist[k]++;
      }
    }
    finals[method] = { dist, count: dist.reduce((a, b) => a + b, 0) };
  }

  // Flatten the nested signals so the table can sort by each.
  const annotators = (report.annotators ?? []).map((a) => ({
    ...a,
    position_share_left: a.position_bias?.share_left ?? null,
    position_p_value: a.position_bias?.p_value ?? null,
    straight_longest_run: a.straight_lining?.longest_run ?? null,
    straight_top_label: a.straight_lining?.top_label ?? null,
    straight_top_share: a.straight_lining?.top_share ?? null,
  }));

  // Heat map: a dense group of annotators, chosen greedily: first the one in
  // most Cohen pairs, then each time the one with most pairs into the group.
  const cohen = ag.cohen_kappa ?? [];
  const top = denseGroup(cohen, annotators, HEATMAP_MAX);
  const inTop = new Set(top);
  const pairs = cohen.filter((p) => inTop.has(p.a) && inTop.has(p.b))
    .map((p) => ({ a: p.a, b: p.b, n: p.n, unweighted: number(p.unweighted), linear: number(p.linear), quadratic: number(p.quadratic) }));

  const ds = report.dawid_skene ?? {};
  const ll = ds.log_likelihood;
  const filtered = report.filtered ?? {};
  return {
    counts: report.counts,
    skipped: [],
    headline,
    kept,
    overlap: {
      target: summary.overlap, lacking: summary.items_below_overlap, needed: summary.labels_needed,
      sample: summary.below_overlap.map((c) => [c.item, c.labels]), items: summary.items,
    },
    labelDist: { raw: Array.from(summary.label_counts), final: finals },
    timeline: { ...timeline, kept: keptTimeline },
    annotators,
    // Pairs sharing enough items: those listed plus those the core counted
    // but did not list (agreement.cohen_kappa_truncated).
    heatmap: { ids: top, pairs, total_pairs: cohen.length + (ag.cohen_kappa_truncated?.pairs_not_listed ?? 0),
      truncated: ag.cohen_kappa_truncated?.reason ?? null },
    // Matrices are sent on request; the menu lists the flagged annotators,
    // then those with most labels (a table click adds any other).
    confusion_all: Object.keys(ds.confusion ?? {}),
    confusion_ids: confusionChoices(annotators, ds.confusion ?? {}),
    filtered: {
      annotators_removed: filtered.annotators_removed?.length ?? null,
      annotations_removed: filtered.annotations_removed ?? null,
      items_without_label: filtered.items_without_label?.length ?? null,
    },
    dawid_skene: {
      reason: report.dawid_skene ? null : (report.undefined?.dawid_skene ?? null),
      labels_order: ds.labels_order ?? LABELS,
      converged: ds.converged ?? null,
      iterations: ds.iterations ?? null,
      log_likelihood: Array.isArray(ll) ? ll[ll.length - 1] : number(ll),
      priors: ds.priors ?? null,
    },
    aggregation,
    min_reliability: config.min_reliability,
  };
}

function confusionChoices(annotators, confusion) {
  const has = (a) => confusion[a.id] !== undefined;
  const flagged = annotators.filter((a) => a.flagged && has(a));
  const rest = annotators.filter((a) => !a.flagged && has(a)).sort((x, y) => (y.total ?? 0) - (x.total ?? 0));
  return [...flagged, ...rest].slice(0, CONFUSION_CHOICES).map((a) => a.id);
}

function denseGroup(cohen, annotators, max) {
  const partners = new Map();
  const link = (x, y) => {
    if (!partners.has(x)) partners.set(x, []);
    partners.get(x).push(y);
  };
  for (const p of cohen) { link(p.a, p.b); link(p.b, p.a); }
  if (!partners.size) {
    return [...annotators].sort((x, y) => (y.total ?? 0) - (x.total ?? 0)).slice(0, max).map((a) => a.id);
  }
  const into = new Map(); // candidate -> pairs into the group
  const group = [];
  const chosen = new Set();
  let next = [...partners].sort((x, y) => y[1].length - x[1].length)[0][0];
  while (next !== undefined && group.length < max) {
    group.push(next);
    chosen.add(next);
    into.delete(next);
    for (const q of partners.get(next) ?? []) if (!chosen.has(q)) into.set(q, (into.get(q) ?? 0) + 1);
    next = undefined;
    let best = 0;
    for (const [q, n] of into) {
      if (n > best || (n === best && next !== undefined && partners.get(q).length > partners.get(next).length)) {
        best = n;
        next = q;
      }
    }
    if (next === undefined) { // the group has no more partners: start again from the best unchosen
      next = [...partners].filter(([q]) => !chosen.has(q)).sort((x, y) => y[1].length - x[1].length)[0]?.[0];
    }
  }
  return group;
}
