// The bootstrap intervals, in a worker of their own (started by worker.js):
// 1,000 resamples of a large collection take seconds in one wasm call, and
// the data worker must stay free for the next slider move. When newer
// settings or data arrive, worker.js terminates this worker, which is the
// only way to stop a running wasm call, and starts another.
//
// In:  {seq, dataVersion, input, gold, options (the Collection's), report
//       (the settings of the kept annotators), ci, bandCi, bandPoints,
//       agreement, need: {all, band}}
// Out: {type: 'intervals', seq, all?, kept}  then, when asked, {type: 'band', seq, all}
//      (the band is of all annotators: it does not depend on the slider)
//      {type: 'error', seq, message}

import init, * as wasm from '../../pkg/prefkit_lab.js';

const ready = init();
let data = null; // {dataVersion, collection}

self.onmessage = async (e) => {
  const m = e.data;
  try {
    await ready;
    if (data?.dataVersion !== m.dataVersion) {
      data?.collection.free();
      data = null;
      data = { dataVersion: m.dataVersion, collection: new wasm.Collection(m.input, m.gold, m.options) };
    }
    const c = data.collection;
    const kept = c.kept(m.report);
    try {
      const ci = { agreement: { ...m.agreement, ci: m.ci } };
      self.postMessage({ type: 'intervals', seq: m.seq, all: m.need.all ? c.agreement(ci) : undefined, kept: kept.agreement(ci) });
      if (m.need.band) {
        const band = { agreement: { ...m.agreement, ci: m.bandCi } };
        self.postMessage({ type: 'band', seq: m.seq, all: c.band(band, m.bandPoints) });
      }
    } finally {
      kept.free();
    }
  } catch (err) {
    self.postMessage({ type: 'error', seq: m.seq, message: err?.message ?? String(err) });
  }
};
