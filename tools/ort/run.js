#!/usr/bin/env node
// Runs an ONNX model exported by `mambaad export` in ONNX Runtime (the npm
// package onnxruntime-node, CPU execution provider) on raw tensors, for the
// parity tests and the ORT-vs-mambaad benchmark.
//
//   node run.js --model M.onnx --input X.f32 --batch N --size S [--out DIR]
//               [--threads T] [--warmup W] [--repeat R] [--opt all|basic|extended|disabled]
//
// X.f32 holds N×3×S×S little-endian float32 values (normalised images);
// --shape D0,D1,… instead of --batch and --size feeds a tensor of any shape
// (tests of single layers).
// With --out, every output is written to DIR/<name>.f32 (little-endian
// float32). One JSON line on stdout gives the output shapes, the metadata
// and, with --repeat, the time per run (warm-up runs not counted).
// onnxruntime-node is found through NODE_PATH or MAMBAAD_ORT_DIR (a folder
// where `npm install onnxruntime-node` was run).
'use strict';
const fs = require('fs');
const path = require('path');

function loadOrt() {
  const dir = process.env.MAMBAAD_ORT_DIR;
  if (dir) {
    return require(path.join(path.resolve(dir), 'node_modules', 'onnxruntime-node'));
  }
  return require('onnxruntime-node');
}

function args(argv) {
  const o = { threads: 0, warmup: 0, repeat: 0, opt: 'all' };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`flag --${k} needs a value`);
    o[k] = ['batch', 'size', 'threads', 'warmup', 'repeat'].includes(k) ? Number(v) : v;
  }
  if (o.shape) {
    o.dims = o.shape.split(',').map(Number);
    o.batch = o.dims[0];
  } else {
    if (!o.batch || !o.size) throw new Error('give --batch and --size (or --shape)');
    o.dims = [o.batch, 3, o.size, o.size];
  }
  for (const k of ['model', 'input']) {
    if (!o[k]) throw new Error(`give --${k}`);
  }
  return o;
}

async function main() {
  const o = args(process.argv.slice(2));
  const ort = loadOrt();
  const so = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: o.opt,
    executionMode: 'sequential',
    interOpNumThreads: 1,
  };
  if (o.threads > 0) so.intraOpNumThreads = o.threads;
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(o.model, so);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const buf = fs.readFileSync(o.input);
  const want = o.dims.reduce((a, b) => a * b, 1);
  if (buf.length !== 4 * want) {
    throw new Error(`${o.input}: ${buf.length} bytes, want ${4 * want} for ${o.dims.join('×')} float32`);
  }
  const data = new Float32Array(want);
  for (let i = 0; i < want; i++) data[i] = buf.readFloatLE(4 * i);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, o.dims) };
  let out = await session.run(feeds);
  for (let i = 1; i < o.warmup; i++) out = await session.run(feeds);
  const times = [];
  for (let i = 0; i < o.repeat; i++) {
    const s = process.hrtime.bigint();
    out = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  const shapes = {};
  for (const name of session.outputNames) {
    const t = out[name];
    shapes[name] = t.dims;
    if (o.out) {
      const b = Buffer.alloc(4 * t.data.length);
      for (let i = 0; i < t.data.length; i++) b.writeFloatLE(t.data[i], 4 * i);
      fs.writeFileSync(path.join(o.out, name + '.f32'), b);
    }
  }
  const res = { ort: ort.env.versions.common, load_ms: loadMs, shapes };
  if (times.length) {
    const sorted = [...times].sort((a, b) => a - b);
    res.ms_per_run = times;
    res.median_ms = sorted[Math.floor(sorted.length / 2)];
    res.mean_ms = times.reduce((a, b) => a + b, 0) / times.length;
    res.images_per_s = (1000 * o.batch) / res.median_ms;
  }
  process.stdout.write(JSON.stringify(res) + '\n');
}

main().catch((e) => {
  process.stderr.write(`run.js: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
