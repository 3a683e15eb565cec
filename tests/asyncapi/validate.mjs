// Validates an AsyncAPI document read from stdin; prints diagnostics as JSON, exits 1 on errors.
import { Parser } from "@asyncapi/parser";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const parser = new Parser();
const { document, diagnostics } = await parser.parse(Buffer.concat(chunks).toString("utf8"));
const errors = diagnostics.filter((d) => d.severity === 0);
console.log(JSON.stringify({
  valid: document !== undefined && errors.length === 0,
  errors: errors.map((d) => ({ message: d.message, path: d.path.join("/") })),
  warnings: diagnostics.filter((d) => d.severity === 1).length,
  messages: document ? document.allMessages().length : 0,
}));
process.exit(document !== undefined && errors.length === 0 ? 0 : 1);
