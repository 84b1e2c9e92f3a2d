// Runs the bundled glue script (generator/site/admin/editor.js) under node for test_editor.py:
// reads each file of FILES with the editor's YAML format, writes it back unchanged and with one
// more drill, and validates it as the editor does before saving; with PAIRS (a JSON file of
// [before, after] dossiers) it also says what each change did (its commit message) under
// "subjects". Prints one JSON object.
const fs = require('fs');
globalThis.window = globalThis;
globalThis.document = { body: {} };
globalThis.MutationObserver = class { observe() {} };
globalThis.createClass = spec => spec; // Decap gives React to widgets; none is drawn here
globalThis.fetch = async () => ({ ok: true, json: async () => JSON.parse(fs.readFileSync(process.env.SCHEMA, 'utf8')) });
let format;
globalThis.CMS = { registerCustomFormat: (n, e, f) => { format = f; }, registerEventListener() {},
  getBackend() {}, registerWidget() {}, init() {
  const out = {};
  if (process.env.PAIRS) {
    out.subjects = JSON.parse(fs.readFileSync(process.env.PAIRS, 'utf8')).map(([a, b]) => window.xiaoanEditor.subject(a, b));
  }
  for (const file of JSON.parse(process.env.FILES)) {
    const text = fs.readFileSync(file, 'utf8');
    const data = format.fromFile(text);
    const result = { isDossier: 'schema_version' in data };
    if (result.isDossier) {
      result.same = format.toFile(JSON.parse(JSON.stringify(data)));
      const more = JSON.parse(JSON.stringify(data));
      (more.drills = more.drills || []).push({ date: '2026-11-20', kind: '防踩踏', scope: '全校', participants: 1288 });
      result.added = format.toFile(more);
      result.problems = window.xiaoanEditor.problems(data);
      const broken = JSON.parse(JSON.stringify(data));
      broken.hazards.push({ ...broken.hazards[0], deadline: '2024-13-01', status: '已销号', closed: undefined });
      delete broken.hazards[broken.hazards.length - 1].closed;
      broken.drills.push({ date: '2026-11-20', kind: '防踩踏', scope: '全校', participants: 0, organiser: '' });
      ({ lines: result.broken, empties: result.empties } = window.xiaoanEditor.check(broken));
    }
    out[file] = result;
  }
  console.log(JSON.stringify(out));
} };
require(process.env.GLUE);
