// The dashboard's download formats, as pure functions (no browser needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, toCsv, annotatorsCsv, dpoJsonl, labelsJsonl } from '../../www/js/dashboard/exports.js';
import { parseEvent, readBytes, isJsonArray, toJsonl } from '../../www/js/dashboard/sources.js';

test('csv fields with commas quotes or line breaks are quoted and quotes doubled', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(null), '');
  assert.equal(csvField(0), '0');
  assert.equal(csvField(false), 'false');
});

test('a csv has a header line and crlf line ends', () => {
  const text = toCsv([{ a: 1, b: 'x,y' }], [['a', (r) => r.a], ['b', (r) => r.b]]);
  assert.equal(text, 'a,b\r\n1,"x,y"\r\n');
});

test('annotator csv flattens position bias and straight lining', () => {
  const text = annotatorsCsv([{
    id: 'w,1', total: 5, skips: 1, skip_rate: 1 / 6, gold_total: 0, gold_correct: 0, gold_accuracy: null, majority_agreement: 0.5,
    avg_time_seconds: 3, speed_penalty: 0.6, composite: 0.47, flagged: false,
    position_bias: { left: 3, decided: 4, share_left: 0.75, p_value: 0.625 },
    straight_lining: { longest_run: 2, top_label: 'A>', top_share: 0.4 },
  }]);
  const [header, row] = text.trim().split('\r\n');
  assert.equal(header, 'id,total,skips,skip_rate,gold_total,gold_correct,gold_accuracy,majority_agreement,avg_time_seconds,speed_penalty,composite,flagged,position_bias_left,position_bias_decided,position_bias_share_left,position_bias_p_value,straight_lining_longest_run,straight_lining_top_label,straight_lining_top_share');
  assert.equal(row, '"w,1",5,1,0.16666666666666666,0,0,,0.5,3,0.6,0.47,false,3,4,0.75,0.625,2,A>,0.4');
});

const examples = new Map([
  ['x', { prompt: 'P1', response_a: 'RA1', response_b: 'RB1' }],
  ['y', { prompt: 'P2', response_a: 'RA2', response_b: 'RB2' }],
  ['z', { prompt: 'P3', response_a: 'RA3', response_b: 'RB3' }],
]);

test('dpo pairs take the winning side as chosen with the label strength as margin', () => {
  const out = dpoJsonl({ x: 'A>>', y: 'B>', z: '=', w: 'A>' }, new Map([['x', 0.9], ['y', 0.5]]), examples, false);
  const lines = out.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { prompt: 'P1', chosen: 'RA1', rejected: 'RB1', margin: 2, weight: 0.9, item: 'x', label: 'A>>' },
    { prompt: 'P2', chosen: 'RB2', rejected: 'RA2', margin: 1, weight: 0.5, item: 'y', label: 'B>' },
  ]);
  assert.equal(out.ties, 1);
  assert.equal(out.missing, 1);
});

test('dpo ties are written with margin zero only when asked', () => {
  const out = dpoJsonl({ z: '=' }, new Map(), examples, true);
  assert.deepEqual(JSON.parse(out.text), { prompt: 'P3', chosen: 'RA3', rejected: 'RB3', margin: 0, weight: null, item: 'z', label: '=' });
});

test('final labels jsonl has one line per item with method and confidence', () => {
  const text = labelsJsonl({ x: 'A>', y: '=' }, { x: 0.75 }, 'weighted', 0.6);
  assert.deepEqual(text.trim().split('\n').map((l) => JSON.parse(l)), [
    { item: 'x', label: 'A>', method: 'weighted', confidence: 0.75, min_reliability: 0.6 },
    { item: 'y', label: '=', method: 'weighted', confidence: null, min_reliability: 0.6 },
  ]);
});

test('server sent event blocks give event name id and joined data lines', () => {
  assert.deepEqual(parseEvent('event: annotation\nid: 7\ndata: {"a":1}'), { event: 'annotation', id: '7', data: '{"a":1}' });
  assert.deepEqual(parseEvent(': keep-alive'), { event: 'message', id: null, data: null });
  assert.deepEqual(parseEvent('data:one\ndata: two'), { event: 'message', id: null, data: 'one\ntwo' });
});

test('a file is read to its exact bytes with progress reported', async () => {
  const text = '{"item":"x","annotator":"w1","label":"A>"}\n'.repeat(50_000) + 'é';
  const file = new File([text], 'a.jsonl');
  const seen = [];
  const bytes = await readBytes({ kind: 'file', file }, (done, total) => seen.push([done, total]));
  assert.equal(new TextDecoder().decode(bytes), text);
  assert.deepEqual(seen.at(-1), [file.size, file.size]);
});

test('json arrays are told from jsonl by their first byte and become one element a line', () => {
  const enc = (s) => new TextEncoder().encode(s);
  assert.equal(isJsonArray(enc('\ufeff  \n[{"a":1}]')), true);
  assert.equal(isJsonArray(enc('{"a":1}\n')), false);
  assert.equal(isJsonArray(enc('')), false);
  assert.equal(toJsonl('[{"a":1},\n {"b":2}]'), '{"a":1}\n{"b":2}');
  assert.throws(() => toJsonl('[{"a":1},'), /not a valid JSON array/);
});
