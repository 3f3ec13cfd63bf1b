// Runs an exported Lahja model.onnx in onnxruntime-node (the runtime transformers.js uses) on token ids, one JSON
// array per line (as bert_reference.py predict reads them); prints the sigmoid probabilities, one JSON array per line.
//   node onnx_predict.mjs MODEL.onnx IDS.jsonl
import fs from "node:fs";
import * as ort from "onnxruntime-node";

const [modelPath, idsPath] = process.argv.slice(2);
if (!modelPath || !idsPath) {
  console.error("usage: node onnx_predict.mjs MODEL.onnx IDS.jsonl");
  process.exit(2);
}
const rows = fs.readFileSync(idsPath, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
for (const ids of rows) {
  // One text per pass: no padding, so the result depends on the text alone.
  const shape = [1, ids.length];
  const feeds = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), shape),
    attention_mask: new ort.Tensor("int64", BigInt64Array.from(ids.map(() => 1n)), shape),
    token_type_ids: new ort.Tensor("int64", new BigInt64Array(ids.length), shape),
  };
  const out = await session.run(feeds, ["probabilities"]);
  console.log(JSON.stringify(Array.from(out.probabilities.data)));
}
