// Glue between Decap CMS and the dossier schema; bundled by esbuild into xiaoan-editor.js.
//
// 1. A YAML format ("xiaoan-yaml") that reads and writes dossiers the way `xiaoan validate`
//    reads them (YAML 1.1 without timestamps: dates stay text, "07:20" and "no" are quoted),
//    keeps the file's opening comment and orders every mapping as the schema does.
// 2. A preSave listener that validates the whole entry against the same JSON Schema with
//    ajv and refuses to save, naming each problem by its Chinese place
//    ("隐患清单 第3项 › 整改期限:不是有效日期"). Decap checks only single widgets, not what
//    lies inside lists nor the schema's conditions (decap-cms issue 467). Each problem has a
//    button that opens the list item it lies in and focuses the field.
// 3. A commit message that says what changed ("城关区第二中学:隐患 H-2026-002 销号;新增演练记录
//    2026-11-21 防踩踏"), the same line as `xiaoan diff` (compare.change_subject). Decap fills
//    only fixed placeholders in its commit_messages, so every backend is wrapped to pass this
//    line instead: decap-server commits it (make editor); GitHub uses it for the commit and
//    for the title of the pull request it opens at the first save.
// 4. A date field ("xiaoan-date"): the browser's date picker, which always writes YYYY-MM-DD,
//    and the date in Chinese beside it (2026年12月2日 星期三), whatever the browser's language.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const SCHEMA_URL = 'dossier.schema.json';
const FORMAT = 'xiaoan-yaml';
const DATE_WIDGET = 'xiaoan-date';
const SOURCE_KEY = '_xiaoan_source'; // the text an entry was read from, carried through the form
const MAX_SHOWN = 12;

const YAML_OPTIONS = {
  version: '1.1',
  merge: false,
  customTags: tags => tags.filter(tag => tag.tag !== 'tag:yaml.org,2002:timestamp'),
};

let schema = null;
let validator = null;

// ------------------------------------------------------------------------------------------
// Walking the schema

function resolve(node) {
  if (node && typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    let target = schema;
    for (const part of node.$ref.slice(2).split('/')) target = target[part];
    const merged = { ...resolve(target) };
    for (const [k, v] of Object.entries(node)) if (k !== '$ref') merged[k] = v;
    return merged;
  }
  return node || null;
}

function child(node, key) {
  if (!node) return null;
  if (typeof key === 'number') return resolve(node.items);
  return resolve((node.properties || {})[key]);
}

function titleOf(node, key) {
  const sub = node && node.properties && node.properties[key];
  return (sub && resolve(sub).title) || key;
}

// Where a path stands, in Chinese titles; the same words as `xiaoan validate` (schema.place),
// except that a list item with an id is named by it: 隐患清单 H-2026-002 › 验收人.
export function place(path, data) {
  let node = resolve(schema);
  if (path.length === 0) return node.title;
  const parts = [];
  let value = data;
  for (const key of path) {
    node = child(node, key);
    value = value === undefined || value === null ? undefined : value[key];
    if (typeof key === 'number') {
      const label = isMapping(value) && typeof value.id === 'string' ? value.id : `第${key + 1}项`;
      if (parts.length) parts[parts.length - 1] += ` ${label}`;
      else parts.push(label);
    } else {
      parts.push(node && node.title ? node.title : `“${key}”`);
    }
  }
  return parts.join(' › ');
}

// ------------------------------------------------------------------------------------------
// The YAML format
//
// Saving rewrites the file the way a person would edit it: the text it was read from is
// carried in the entry (SOURCE_KEY) and only what changed is written anew, so comments,
// quotes, blank lines and indentation stay, and the pull request shows just the change.

function isMapping(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isDossier(data) {
  return isMapping(data) && 'profile' in data;
}

function parseDocument(content) {
  const doc = YAML.parseDocument(content || '', YAML_OPTIONS);
  if (doc.errors.length) throw new Error(`YAML 格式错误:${doc.errors[0].message}`);
  return doc;
}

function fromFile(content) {
  const data = parseDocument(content).toJS() || {};
  // A file that is not a dossier (the district's _district.yaml) is read as an entry without
  // schema_version: the collection's filter (schema_version: 1) leaves it out of the list.
  if (!isDossier(data)) return {};
  data[SOURCE_KEY] = content;
  return data;
}

function schemaIndex(node, key) {
  const known = Object.keys((node && node.properties) || {});
  const i = known.indexOf(key);
  return i < 0 ? known.length : i;
}

// A copy of `value` whose mappings list their keys in the schema's order (unknown ones last).
function ordered(value, node) {
  if (Array.isArray(value)) return value.map(item => ordered(item, child(node, 0)));
  if (!isMapping(value)) return value;
  const keys = Object.keys(value).sort((a, b) => schemaIndex(node, a) - schemaIndex(node, b));
  const out = {};
  for (const key of keys) out[key] = ordered(value[key], child(node, key));
  return out;
}

// `node` (from the old text) brought to `value`, keeping every part that did not change.
function merge(doc, node, value, schemaNode) {
  const filled = (Array.isArray(value) && value.length > 0) || (isMapping(value) && Object.keys(value).length > 0);
  if (YAML.isCollection(node) && node.flow && node.items.length === 0 && filled) {
    node.flow = false; // `drills: []` that gets its first item becomes a block list
  }
  if (isMapping(value) && YAML.isMap(node)) {
    node.items = node.items.filter(pair => Object.hasOwn(value, String(pair.key)));
    for (const [key, item] of Object.entries(value)) {
      const sub = child(schemaNode, key);
      const pair = node.items.find(p => String(p.key) === key);
      if (pair) {
        pair.value = merge(doc, pair.value, item, sub);
      } else {
        const at = node.items.findIndex(p => schemaIndex(schemaNode, String(p.key)) > schemaIndex(schemaNode, key));
        const fresh = doc.createPair(key, ordered(item, sub));
        if (at < 0) node.items.push(fresh);
        else node.items.splice(at, 0, fresh);
      }
    }
    return node;
  }
  if (Array.isArray(value) && YAML.isSeq(node)) {
    const sub = child(schemaNode, 0);
    node.items = node.items.slice(0, value.length).map((old, i) => merge(doc, old, value[i], sub));
    for (const item of value.slice(node.items.length)) node.items.push(doc.createNode(ordered(item, sub)));
    return node;
  }
  if (YAML.isScalar(node) && node.value === value) return node;
  return doc.createNode(ordered(value, schemaNode));
}

function sequencesIndented(text) {
  const block = /^( *)[^\s#-][^\n]*:[ \t]*\r?\n\1( *)- /m.exec(text);
  return block ? block[2].length > 0 : true;
}

// Equal as data: the same values, whatever the order of keys.
// The yaml package writes one space before an end-of-line comment; people often write two.
// A line that differs from a line of the old text only there is written as it was.
function keepCommentSpacing(text, source) {
  const squeeze = line => line.replace(/[ \t]+#/, ' #');
  const old = new Map();
  for (const line of source.split('\n')) if (line.includes('#') && !old.has(squeeze(line))) old.set(squeeze(line), line);
  return text
    .split('\n')
    .map(line => (line.includes('#') && old.get(squeeze(line))) || line)
    .join('\n');
}

function same(a, b) {
  const canonical = value =>
    Array.isArray(value)
      ? value.map(canonical)
      : isMapping(value)
        ? Object.fromEntries(Object.keys(value).sort().map(k => [k, canonical(value[k])]))
        : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function toFile(data) {
  const { [SOURCE_KEY]: source, ...rest } = data;
  const root = resolve(schema);
  let doc;
  if (typeof source === 'string' && isDossier(parseDocument(source).toJS())) {
    doc = parseDocument(source);
    doc.contents = merge(doc, doc.contents, rest, root);
  } else {
    doc = new YAML.Document(ordered(rest, root), YAML_OPTIONS);
    doc.contents.items.forEach((pair, i) => {
      if (i > 0 && YAML.isCollection(pair.value)) pair.key.spaceBefore = true; // a blank line between sections
    });
  }
  YAML.visit(doc, {
    Scalar(_, node) {
      // text PyYAML would read as something else, beyond what YAML 1.1 quoting knows
      if (typeof node.value === 'string' && /^(=|<<)$/.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  const options = { lineWidth: 0, flowCollectionPadding: false, indentSeq: sequencesIndented(source || '') };
  const text = keepCommentSpacing(doc.toString(options), source || '');
  if (!same(YAML.parse(text, YAML_OPTIONS), rest)) {
    throw new Error('写出的 YAML 读回后与表单内容不一致,未保存(请把此情况报告给维护者)');
  }
  return typeof source === 'string' && source.startsWith('\uFEFF') ? `\uFEFF${text}` : text;
}

// ------------------------------------------------------------------------------------------
// What changed, in one line: the commit message. The same words as compare.change_subject
// (`xiaoan diff`); tests/test_editor.py runs both on the same changes.

const LABEL_KEYS = ['date', 'month', 'kind', 'topic', 'title', 'plate', 'name'];
const SUBJECT_LABELS = 2;
const SUBJECT_PARTS = 4;

// How a reviewer knows a list item: its id, else its date and kind (2026-12-01 消防疏散).
function itemLabel(item, index) {
  if (isMapping(item)) {
    if (typeof item.id === 'string') return item.id;
    const parts = LABEL_KEYS.filter(k => !isEmpty(item[k])).slice(0, 2).map(k => String(item[k]));
    if (parts.length) return parts.join(' ');
  }
  return `第${index + 1}项`;
}

function labelled(items) {
  const out = new Map();
  (Array.isArray(items) ? items : []).forEach((item, i) => {
    const label = itemLabel(item, i);
    out.set(out.has(label) ? `${label}(第${i + 1}项)` : label, item);
  });
  return out;
}

// The title of a property as written beside it in the schema (compare uses schema.title).
function ownTitle(node, key) {
  const sub = ((node && node.properties) || {})[key] || {};
  return sub.title || key;
}

function sectionsChanged(old, now) {
  const root = resolve(schema);
  const known = Object.keys(root.properties || {});
  const keys = [...known.filter(k => k in old || k in now)];
  for (const k of Object.keys({ ...old, ...now })) if (!keys.includes(k)) keys.push(k);
  const out = [];
  for (const key of keys) {
    const a = old[key] ?? null;
    const b = now[key] ?? null;
    if (same(a, b)) continue;
    const change = { section: key, title: ownTitle(root, key), added: [], removed: [], changed: [] };
    if (Array.isArray(a) || Array.isArray(b)) {
      const before = labelled(a);
      const after = labelled(b);
      change.added = [...after.keys()].filter(k => !before.has(k));
      change.removed = [...before.keys()].filter(k => !after.has(k));
      change.changed = [...after.keys()].filter(k => before.has(k) && !same(after.get(k), before.get(k)));
    } else if (isMapping(a) || isMapping(b)) {
      const was = isMapping(a) ? a : {};
      const is = isMapping(b) ? b : {};
      const node = child(root, key);
      change.added = Object.keys(is).filter(k => !(k in was)).map(k => ownTitle(node, k));
      change.removed = Object.keys(was).filter(k => !(k in is)).map(k => ownTitle(node, k));
      change.changed = Object.keys(is).filter(k => k in was && !same(was[k], is[k])).map(k => ownTitle(node, k));
    } else {
      change.changed = [change.title];
    }
    out.push(change);
  }
  return out;
}

export function subject(old, now) {
  const profile = isMapping(now.profile) ? now.profile : {};
  const name = String(profile.name || profile.id || '学校档案');
  if (!old) return `${name}:新建学校档案`;
  const parts = [];
  for (const change of sectionsChanged(old, now)) {
    const a = old[change.section];
    const b = now[change.section];
    if (Array.isArray(a) || Array.isArray(b)) {
      const items = child(resolve(schema), change.section);
      const noun = (items && child(items, 0) && child(items, 0).title) || change.title;
      const before = labelled(a);
      const after = labelled(b);
      const changed = [];
      for (const label of change.changed) {
        const status = isMapping(after.get(label)) ? after.get(label).status : undefined;
        const was = isMapping(before.get(label)) ? before.get(label).status : undefined;
        if (status !== was && typeof status === 'string') {
          parts.push(`${noun} ${label} ${status === '已销号' ? '销号' : `改为“${status}”`}`);
        } else {
          changed.push(label);
        }
      }
      for (const [word, labels] of [['新增', change.added], ['删除', change.removed], ['修改', changed]]) {
        if (labels.length > SUBJECT_LABELS) parts.push(`${word}${noun} ${labels.length} 条`);
        else if (labels.length) parts.push(`${word}${noun} ${labels.join('、')}`);
      }
    } else if (isMapping(a) || isMapping(b)) {
      const named = [...change.added, ...change.removed, ...change.changed];
      parts.push(`修改${change.title}${named.length <= SUBJECT_LABELS ? `(${named.join('、')})` : ''}`);
    } else {
      parts.push(`修改${change.title}`);
    }
  }
  if (!parts.length) return `${name}:调整格式(内容不变)`;
  const more = parts.length > SUBJECT_PARTS ? ` 等 ${parts.length} 处修改` : '';
  return `${name}:${(more ? parts.slice(0, SUBJECT_PARTS - 1) : parts).join(';')}${more}`;
}

// ------------------------------------------------------------------------------------------
// Validation before saving

function isEmpty(value) {
  return value === undefined || value === null || value === '' || (isMapping(value) && Object.keys(value).length === 0);
}

// A value a form leaves behind when fields are cleared: empty text or number, or a group
// (or a list item) whose every field is blank. Empty lists stay: they say "none".
function isBlank(value) {
  return isEmpty(value) || (isMapping(value) && Object.values(value).every(isBlank));
}

// Paths of the blank values, list items last to first, so that deleting them in this order
// keeps the other paths right.
export function emptyPaths(value, path = []) {
  const found = [];
  const keys = Array.isArray(value) ? [...value.keys()].reverse() : isMapping(value) ? Object.keys(value) : [];
  for (const key of keys) {
    if (isBlank(value[key])) found.push([...path, key]);
    else found.push(...emptyPaths(value[key], [...path, key]));
  }
  return found;
}

function withoutPaths(data, paths) {
  const copy = JSON.parse(JSON.stringify(data));
  for (const path of paths) {
    let holder = copy;
    for (const key of path.slice(0, -1)) holder = holder && holder[key];
    const last = path[path.length - 1];
    if (Array.isArray(holder)) holder.splice(last, 1);
    else if (holder) delete holder[last];
  }
  return copy;
}

function show(value) {
  if (typeof value === 'boolean') return value ? '“是”' : '“否”';
  if (typeof value === 'string') return `“${value}”`;
  return String(value);
}

function oneOf(values) {
  const shown = values.map(show);
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join('、')}或${shown[shown.length - 1]}`;
}

function schemaAt(schemaPath) {
  // "#/properties/hazards/items/allOf/0/then/required" → the node holding that keyword
  let node = schema;
  for (const part of schemaPath.replace(/^#\//, '').split('/')) {
    if (node && node.$ref && !(part in node)) node = resolve(node);
    node = node && node[decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~'))];
  }
  return node;
}

function condition(error, holder) {
  const parts = error.schemaPath.replace(/^#\//, '').split('/');
  const at = parts.lastIndexOf('then');
  if (at < 0) return '';
  const branch = schemaAt(`#/${parts.slice(0, at).join('/')}`) || {};
  const said = [];
  for (const [key, test] of Object.entries((branch.if && branch.if.properties) || {})) {
    const values = 'const' in test ? [test.const] : test.enum;
    if (values) said.push(`${titleOf(holder, key)}为${oneOf(values)}`);
  }
  return said.join('且') || '按条件';
}

const KINDS = { string: '文字', integer: '整数', number: '数字', boolean: '是/否', object: '一组字段', array: '列表' };

// One ajv error as a Chinese line: where, then what is wrong.
export function explain(error) {
  const here = (at) => place(at, error.data);
  const path = pathOf(error);
  const value = path.reduce((v, k) => (v === undefined || v === null ? v : v[k]), error.data);
  const p = error.params;
  switch (error.keyword) {
    case 'required': {
      let holder = resolve(schema);
      for (const key of path) holder = child(holder, key);
      const name = `“${titleOf(holder, p.missingProperty)}”`;
      const when = condition(error, holder);
      const where = here(path);
      return when ? `${where}:${when}时必须填写${name}` : `${where}:缺少必填字段${name}`;
    }
    case 'format':
      return `${here(path)}:${show(value)}不是有效日期 (YYYY-MM-DD)`;
    case 'pattern': {
      const node = schemaAt(error.schemaPath.replace(/\/pattern$/, '')) || {};
      return `${here(path)}:${show(value)}格式不对,应为:${node.description || `符合 ${p.pattern}`}`;
    }
    case 'enum':
      return `${here(path)}:${show(value)}不是可选的值,应为以下之一:${oneOf(p.allowedValues)}`;
    case 'type':
      return `${here(path)}:应为${KINDS[p.type] || p.type}`;
    case 'minimum':
      return `${here(path)}:不能小于 ${p.limit}(现为 ${value})`;
    case 'maximum':
      return `${here(path)}:不能大于 ${p.limit}(现为 ${value})`;
    case 'minLength':
      return `${here(path)}:${value === '' ? '不能为空' : `至少要有 ${p.limit} 个字`}`;
    case 'maxLength':
      return `${here(path)}:不能超过 ${p.limit} 个字(现有 ${[...value].length} 个字)`;
    case 'minItems':
      return `${here(path)}:至少要有 ${p.limit} 项`;
    case 'const':
      return `${here(path)}:应为 ${show(p.allowedValue)}`;
    case 'additionalProperties':
      return `${place([...path, p.additionalProperty])}:未知字段“${p.additionalProperty}”`;
    default:
      return `${here(path)}:不符合档案格式(${error.message})`;
  }
}

// The path of the value an ajv error is at (its instancePath, a JSON pointer, as keys).
function pathOf(error) {
  return error.instancePath
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(p => (/^\d+$/.test(p) ? Number(p) : p));
}

// The path of the field an ajv error is about: the missing property itself, not its holder.
function fieldPath(error) {
  const path = pathOf(error);
  return error.keyword === 'required' ? [...path, error.params.missingProperty] : path;
}

// The problems of a dossier (plain data): [{line, path}], a Chinese line and the path of the
// field it is about; none when the dossier is valid.
export function findings(data) {
  const { [SOURCE_KEY]: _source, ...dossier } = data;
  if (validator(dossier)) return [];
  const found = [];
  for (const error of validator.errors) {
    if (error.keyword === 'if') continue; // its `then` error says what is missing
    const line = explain({ ...error, data: dossier });
    if (!found.some(f => f.line === line)) found.push({ line, path: fieldPath(error) });
  }
  return found;
}

// The problems as Chinese lines.
export function problems(data) {
  return findings(data).map(f => f.line);
}

// Decap's own way to reach a field (what its preview uses when a field is clicked): it opens
// the lists and list items on the way and focuses the field. Found through React's instance
// of the editor, as Decap exposes it to no script.
function editorInterface() {
  const form = document.querySelector('[aria-label$=" field"]');
  const key = form && Object.keys(form).find(k => k.startsWith('__reactFiber$'));
  for (let fiber = key ? form[key] : null; fiber; fiber = fiber.return) {
    if (fiber.stateNode && typeof fiber.stateNode.handleFieldClick === 'function') return fiber.stateNode;
  }
  return null;
}

// Go to the field at `path` (["hazards", 1, "verifier"]), opening what hides it.
export function goTo(path) {
  const editor = editorInterface();
  if (!editor || !path.length) return false;
  editor.handleFieldClick(path.join('.'));
  return true;
}

function showPanel(found) {
  let panel = document.getElementById('xiaoan-problems');
  if (!found.length) {
    if (panel) panel.remove();
    return;
  }
  if (!panel) {
    panel = document.createElement('div');
    panel.id = 'xiaoan-problems';
    panel.setAttribute('role', 'alert');
    panel.tabIndex = -1;
    document.body.appendChild(panel);
  }
  panel.replaceChildren();
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '关闭';
  close.addEventListener('click', () => panel.remove());
  const head = document.createElement('strong');
  head.textContent = `未保存:档案有 ${found.length} 处问题,请改正后再保存`;
  const list = document.createElement('ul');
  for (const { line, path } of found.slice(0, MAX_SHOWN)) {
    const item = document.createElement('li');
    item.textContent = line;
    if (path.length) {
      const go = document.createElement('button');
      go.type = 'button';
      go.textContent = '转到';
      go.setAttribute('aria-label', `转到 ${line.split(':')[0]}`);
      go.addEventListener('click', () => goTo(path));
      item.append(' ', go);
    }
    list.appendChild(item);
  }
  if (found.length > MAX_SHOWN) {
    const more = document.createElement('li');
    more.textContent = `……还有 ${found.length - MAX_SHOWN} 处`;
    list.appendChild(more);
  }
  panel.append(close, head, list);
  panel.focus();
}

// `path` in the cleaned data (blank values dropped) as a path in the form, which still shows
// the dropped list items: each list index skips the dropped items before it.
function formPath(path, empties) {
  const out = [];
  for (const key of path) {
    if (typeof key === 'number') {
      const dropped = empties
        .filter(e => e.length === out.length + 1 && out.every((k, i) => e[i] === k))
        .map(e => e[e.length - 1]);
      let index = -1;
      for (let seen = -1; seen < key; ) if (!dropped.includes(++index)) seen++;
      out.push(index);
    } else {
      out.push(key);
    }
  }
  return out;
}

// What saving `plain` (the entry's data) would do: the blank values it drops, what remains
// and its problems (each with the path of its field in the form).
export function check(plain) {
  const empties = emptyPaths(plain);
  const kept = withoutPaths(plain, empties);
  const found = findings(kept).map(f => ({ ...f, path: formPath(f.path, empties) }));
  return { empties, kept, found, lines: found.map(f => f.line) };
}

// The commit message of the save under way, made by preSave and used by the backend: Decap
// calls one after the other within the same save (backend.persistEntry).
let message = null;

function preSave({ entry }) {
  let data = entry.get('data');
  const { empties, kept, found } = check(data.toJS());
  showPanel(found);
  if (found.length) {
    const lines = found.map(f => f.line);
    const error = new Error(lines.slice(0, 3).join(';') + (lines.length > 3 ? ' ……' : ''));
    error.name = '档案校验未通过';
    throw error;
  }
  const { [SOURCE_KEY]: source, ...now } = kept;
  const old = typeof source === 'string' ? parseDocument(source).toJS() : null;
  message = { path: entry.get('newRecord') ? null : entry.get('path'), text: subject(isDossier(old) ? old : null, now) };
  if (!empties.length) return undefined;
  for (const path of empties) data = data.deleteIn(path);
  return data;
}

// Every backend Decap knows (github, gitea, proxy for decap-server, …) made to commit with
// the message preSave made. Decap gives scripts no other way: its commit_messages are fixed
// templates, and its configuration is frozen before the first save.
function withOwnMessages(CMS) {
  for (const name of ['github', 'gitea', 'forgejo', 'gitlab', 'bitbucket', 'git-gateway', 'azure', 'proxy', 'test-repo']) {
    const registered = CMS.getBackend(name);
    if (!registered) continue;
    const init = registered.init;
    registered.init = (...args) => {
      const backend = init(...args);
      const persist = backend.persistEntry.bind(backend);
      backend.persistEntry = (entry, options) => {
        const files = entry.dataFiles || [entry];
        const mine = message && (message.path === null ? options.newEntry : files.some(f => f.path === message.path));
        const commitMessage = mine ? message.text : options.commitMessage;
        message = null;
        return persist(entry, { ...options, commitMessage });
      };
      return backend;
    };
  }
}

// ------------------------------------------------------------------------------------------
// The date field: the browser's own date picker, whose value is always YYYY-MM-DD (what the
// schema wants) however the browser shows it, and beside it the date in Chinese, so that
// 08/12/2026 on an English browser is never read the wrong way round.

const WEEKDAYS = '日一二三四五六';

export function isDate(text) {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text);
}

export function chineseDate(text) {
  const [y, m, d] = text.split('-').map(Number);
  return `${y}年${m}月${d}日 星期${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]}`;
}

function today() {
  const now = new Date();
  const two = n => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

function dateControl(h, createClass) {
  return createClass({
    render() {
      const { forID, value, onChange, classNameWrapper, setActiveStyle, setInactiveStyle, isDisabled } = this.props;
      const text = typeof value === 'string' ? value : '';
      const valid = isDate(text);
      const said = valid ? chineseDate(text) : text ? `“${text}”不是有效日期,请重新选择` : '未填写';
      const button = (label, to) =>
        h('button', { type: 'button', className: 'xiaoan-date-button', onClick: () => onChange(to()) }, label);
      return h(
        'div',
        { className: `${classNameWrapper} xiaoan-date` },
        h('input', {
          id: forID,
          type: 'date',
          lang: 'zh-CN',
          value: valid ? text : '',
          max: '9999-12-31',
          disabled: isDisabled,
          'aria-describedby': `${forID}-said`,
          onChange: event => onChange(event.target.value),
          onFocus: setActiveStyle,
          onBlur: setInactiveStyle,
        }),
        h('span', { id: `${forID}-said`, className: 'xiaoan-date-said' }, said),
        isDisabled ? null : button('今天', today),
        isDisabled ? null : button('清除', () => ''),
      );
    },
  });
}

// ------------------------------------------------------------------------------------------

// Decap's Chinese phrases, completed where it has none (its English shows otherwise) and
// worded for dossiers: 新建学校档案, not 新建帖子; dates as 2026年12月2日.
const PHRASES = {
  editor: {
    editorToolbar: { deleteUnpublishedEntry: '放弃这份未提交的草稿', deleteUnpublishedChanges: '放弃未提交的修改' },
    editorWidgets: {
      object: { expand: '展开', collapse: '收起' },
      list: { addType: '新增%{item}' },
    },
  },
  workflow: { workflow: { newPost: '新建学校档案', dateFormat: 'YYYY年M月D日' } },
};

function deepMerge(base, extra) {
  const out = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    out[key] = isMapping(value) && isMapping(base[key]) ? deepMerge(base[key], value) : value;
  }
  return out;
}

function chinese(CMS) {
  if (typeof CMS.registerLocale !== 'function') return;
  const base = typeof CMS.getLocale === 'function' ? CMS.getLocale('zh_Hans') : null;
  CMS.registerLocale('zh_Hans', deepMerge(base || {}, PHRASES));
}

// Names for Decap's buttons that have none (axe: button-name, aria-command-name): a list
// item's open/close and delete buttons and its drag handle show only an icon.
const UNNAMED = [
  ['[class*="-StyledListItemTopBar"] > button:first-child', '展开或收起此项'],
  ['[class*="-StyledListItemTopBar"] > button:last-child', '删除此项'],
  ['[class*="-StyledListItemTopBar"] [aria-roledescription="sortable"]', '拖动以调整顺序'],
];

function nameButtons(root) {
  for (const [selector, name] of UNNAMED) {
    for (const button of root.querySelectorAll(selector)) {
      if (!button.hasAttribute('aria-label')) button.setAttribute('aria-label', name);
    }
  }
}

function nameButtonsAsDrawn() {
  new MutationObserver(records => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node.nodeType === 1) nameButtons(node.parentElement || node);
    }
  }).observe(document.body, { childList: true, subtree: true });
}

async function start() {
  const CMS = window.CMS;
  try {
    const response = await fetch(SCHEMA_URL);
    if (!response.ok) throw new Error(`${SCHEMA_URL}: HTTP ${response.status}`);
    schema = await response.json();
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv, ['date']);
    validator = ajv.compile(schema);
  } catch (error) {
    document.body.textContent = `编辑器无法加载档案格式(${error.message}),请刷新页面或联系维护者。`;
    return;
  }
  chinese(CMS);
  withOwnMessages(CMS);
  CMS.registerWidget(DATE_WIDGET, dateControl(window.h, window.createClass));
  CMS.registerCustomFormat(FORMAT, 'yaml', { fromFile, toFile });
  CMS.registerEventListener({ name: 'preSave', handler: preSave });
  CMS.init();
  nameButtonsAsDrawn();
}

window.xiaoanEditor = { place, problems, check, subject, goTo, chineseDate };
start();
