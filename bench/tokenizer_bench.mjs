// transformers.js side of bench/run.sh: tokens per second on one thread, same texts, same vocabulary, warm-up first.
//   node bench/tokenizer_bench.mjs VOCAB.txt INPUT.jsonl [REPEAT]
import fs from 'node:fs';
import { loadReferenceTokenizer } from '../tools/reference/hf_tokenize.mjs';

const [vocab, input, repeatArg] = process.argv.slice(2);
const repeat = Number(repeatArg ?? 3);
const texts = fs.readFileSync(input, 'utf8').split('\n').filter(l => l.length > 0).map(l => JSON.parse(l));
const tok = await loadReferenceTokenizer(vocab, true, null);
const pass = () => { let n = 0; for (const t of texts) n += tok.encode(t, null).length; return n; };
pass();
const start = process.hrtime.bigint();
let tokens = 0;
for (let r = 0; r < repeat; r++) tokens += pass();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ impl: 'transformers.js', mode: 'tokenize', texts: texts.length, repeat, tokens, seconds, per_second: tokens / seconds }));
