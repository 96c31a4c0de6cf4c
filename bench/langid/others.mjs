// Scores fastText's lid.176 and CLD3 (npm WebAssembly builds) on the texts bench/langid/run.sh dumped (BENCH_DUMP),
// beside the step's answers in the same file. Usage: node others.mjs texts.jsonl
import fs from 'fs';
import { createRequire } from 'module';

const require = createRequire(process.env.NODE_PATH + '/');
const { getLIDModel } = require('fasttext.wasm.js');
const { loadModule } = require('cld3-asm');

// the labels each side writes for the same language: Java's old ISO codes, fastText's Wikipedia codes, CLD3's
const SAME = { iw: 'he', in: 'id', ji: 'yi', no: 'nb', fil: 'tl' };
const norm = (code) => SAME[code] ?? code;

const items = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  .filter((it) => it.scored);
const lid = await getLIDModel();
await lid.load();
const cld = (await loadModule()).create(0, 2000);
const bySet = new Map();
for (const it of items) {
  // fastText reads one line: its predict stops at a newline
  const ft = await lid.identify(it.text.replace(/\n/g, ' '));
  const ftCode = ft.alpha2 ?? ft.alpha3;
  const cl = cld.findLanguage(it.text).language;
  const truth = norm(it.truth);
  const set = it.set.startsWith('handbook') ? 'handbook' : it.set;
  const c = bySet.get(set) ?? { n: 0, ours: 0, fasttext: 0, cld3: 0 };
  c.n++;
  c.ours += norm(it.ours) === truth ? 1 : 0;
  c.fasttext += norm(ftCode) === truth ? 1 : 0;
  c.cld3 += norm(cl) === truth ? 1 : 0;
  bySet.set(set, c);
}
const f = (k, c) => `${k} ${(c[k] / c.n).toFixed(3)} (${c[k]}/${c.n})`;
// the handbook last: the script's last line
for (const [set, c] of [...bySet].sort(([a], [b]) => (a === 'handbook') - (b === 'handbook'))) {
  console.log(`${set}: ${f('ours', c)}, ${f('fasttext', c)}, ${f('cld3', c)}`);
}
