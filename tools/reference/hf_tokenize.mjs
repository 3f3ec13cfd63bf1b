#!/usr/bin/env node
// Reference WordPiece tokenization: what Python's AutoTokenizer.from_pretrained(dir) gives for a BERT checkpoint
// directory, computed with transformers.js (which reproduces Hugging Face's Rust fast tokenizer).
//
//   node hf_tokenize.mjs --vocab vocab.txt --lower true|false [--strip-accents true|false] [--max-length 128]
//                        [--tokens] INPUT.jsonl > OUTPUT.jsonl
//
// Input: one JSON string per line. Output: one JSON array of input ids per line ([CLS] ... [SEP], truncated),
// or with --tokens an object {ids, tokens}.
//
// The tokenizer.json is built from vocab.txt exactly as transformers' BertConverter does for a checkpoint that has
// only vocab.txt (B2BERT's case): BertNormalizer(clean_text, handle_chinese_chars, strip_accents, lowercase),
// BertPreTokenizer, WordPiece(unk "[UNK]", "##", max_input_chars_per_word 100), the five special tokens as
// non-normalised added tokens.
//
// Two documented departures from plain transformers.js, each making it agree with the Rust tokenizer and Python:
//  1. transformers.js's BertNormalizer.tokenize_chinese_chars walks UTF-16 units, so it misses CJK ideographs
//     outside the BMP (U+20000...), which Rust and Python isolate. It is replaced by a per-code-point walk.
//  2. transformers.js truncates after adding [CLS]/[SEP] (dropping [SEP]); Python truncates the pieces to
//     max_length - 2 and then adds both. Pieces are encoded here without specials and wrapped the Python way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { AutoTokenizer, env } from '@huggingface/transformers';

function parseArgs(argv) {
  const args = { lower: 'true', stripAccents: null, maxLength: 128, tokens: false, input: null, vocab: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--vocab') args.vocab = argv[++i];
    else if (a === '--lower') args.lower = argv[++i];
    else if (a === '--strip-accents') args.stripAccents = argv[++i];
    else if (a === '--max-length') args.maxLength = Number(argv[++i]);
    else if (a === '--tokens') args.tokens = true;
    else args.input = a;
  }
  if (!args.vocab) throw new Error('--vocab is required');
  return args;
}

// Python's load_vocab: readlines() with universal newlines, rstrip("\n"), later duplicates win.
function readVocab(file) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const vocab = {};
  lines.forEach((token, index) => { vocab[token] = index; });
  return vocab;
}

function buildTokenizerJson(vocab, lower, stripAccents) {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].filter(t => t in vocab);
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map(t => ({ id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: stripAccents, lowercase: lower },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

const CHINESE = cp => (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
  || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
  || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);

export async function loadReferenceTokenizer(vocabFile, lower, stripAccents) {
  const vocab = readVocab(vocabFile);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lahja-hf-'));
  const name = 'model';
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, 'tokenizer.json'), JSON.stringify(buildTokenizerJson(vocab, lower, stripAccents)));
  fs.writeFileSync(path.join(dir, name, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: lower }));
  env.allowRemoteModels = false;
  env.localModelPath = dir + path.sep;
  const tokenizer = await AutoTokenizer.from_pretrained(name);
  fs.rmSync(dir, { recursive: true, force: true });
  const normalizer = tokenizer._tokenizer.normalizer;
  if (!normalizer || typeof normalizer.tokenize_chinese_chars !== 'function')
    throw new Error('transformers.js internals changed: BertNormalizer.tokenize_chinese_chars not found');
  normalizer.tokenize_chinese_chars = text => {
    let out = '';
    for (const ch of text) out += CHINESE(ch.codePointAt(0)) ? ` ${ch} ` : ch;
    return out;
  };
  const cls = vocab['[CLS]'], sep = vocab['[SEP]'];
  return {
    encode(text, maxLength) {
      const pieces = tokenizer.encode(text, { add_special_tokens: false });
      const kept = maxLength == null ? pieces : pieces.slice(0, Math.max(0, maxLength - 2));
      return [cls, ...kept, sep];
    },
    tokens(ids) { return ids.map(id => tokenizer._tokenizer.model.vocab[id]); },
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const lower = args.lower === 'true';
  const strip = args.stripAccents == null || args.stripAccents === 'null' ? null : args.stripAccents === 'true';
  const tok = await loadReferenceTokenizer(args.vocab, lower, strip);
  const input = args.input ? fs.createReadStream(args.input) : process.stdin;
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  const out = [];
  for await (const line of rl) {
    if (line === '') continue;
    const ids = tok.encode(JSON.parse(line), args.maxLength);
    out.push(args.tokens ? JSON.stringify({ ids, tokens: tok.tokens(ids) }) : JSON.stringify(ids));
    if (out.length >= 4096) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
