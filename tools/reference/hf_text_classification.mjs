// Calls a Lahja server as a Hugging Face Inference endpoint with @huggingface/inference's own textClassification,
// so the server's POST / is tested against the real client. Usage: node hf_text_classification.mjs URL TOP_K TEXT...
// Prints one JSON line per text: the client's parsed answer.
import { InferenceClient } from "@huggingface/inference";

const [endpointUrl, topK, ...texts] = process.argv.slice(2);
const client = new InferenceClient();
for (const inputs of texts) {
  const parameters = topK === "all" ? undefined : { top_k: Number(topK) };
  const output = await client.textClassification({ endpointUrl, inputs, parameters });
  process.stdout.write(JSON.stringify(output) + "\n");
}
