// The page's settings as one table. The search's settings — names, labels, defaults, bounds,
// choices, and the message a bad value gets — are the library's schema (the CLI parses its flags
// through the same ranges); the page adds its own few (workers, autorun, embed). The URL query is
// serialised from and restored through this table, so a shared link reproduces a run (the seed is
// part of it), and a link the page writes is always one it accepts.

const PAGE_SETTINGS = [
  { name: 'workers', kind: 'int', min: 1, max: 64, default: null, page: true },
  { name: 'autorun', kind: 'bool', default: false, page: true },
  { name: 'embed', kind: 'bool', default: false, page: true },
  // Which build of the library runs (engine.js wasmBuild): read before the library loads.
  { name: 'simd', kind: 'choice', choices: [{ value: 'auto' }, { value: 'simd128' }, { value: 'relaxed' }], default: 'auto', page: true },
  // Generations added by Continue, in order: a link replays them after the search.
  { name: 'continued', kind: 'list', min: 1, max: 500, default: null, page: true },
  // The candidate open in the teaching panel (its architecture, checked by the library on use).
  { name: 'inspect', kind: 'text', max: 400, default: null, page: true },
];

export function properties(schema) {
  return [...schema.settings, ...PAGE_SETTINGS];
}

/** The settings the library marks as `duringSearch` this way ('fixed', 'rerank', …), by name. */
export function settingsDuringSearch(schema, during) {
  return schema.settings.filter((s) => s.duringSearch === during).map((s) => s.name);
}

export function defaults(schema) {
  return Object.fromEntries(properties(schema).map((p) => [p.name, p.default]));
}

function parsePageSetting(p, raw) {
  if (p.kind === 'choice') {
    if (p.choices.some((c) => c.value === raw)) return raw;
    throw new Error(`unknown ${p.name} '${raw}' (expected ${p.choices.map((c) => c.value).join(', ')})`);
  }
  if (p.kind === 'list') {
    return raw.split(',').map((part) => parsePageSetting({ ...p, kind: 'int' }, part));
  }
  if (p.kind === 'text') {
    if (raw.length > p.max) throw new Error(`${p.name} is longer than ${p.max} characters`);
    return raw;
  }
  if (p.kind === 'bool') {
    if (raw === '1' || raw === 'true') return true;
    if (raw === '0' || raw === 'false') return false;
    throw new Error(`${p.name} must be 1 or 0, got '${raw}'`);
  }
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(v) || v < p.min || v > p.max) {
    throw new Error(`${p.name} must be an integer in ${p.min}..=${p.max}, got '${raw}'`);
  }
  return v;
}

/** One setting's value from its text; throws an Error with the library's (the CLI's) message. */
export function parseValue(p, raw, parseSetting) {
  return p.page ? parsePageSetting(p, raw) : parseSetting(p.name, raw);
}

/** Reads settings from a query string: { state, errors } with errors naming each bad parameter. */
export function fromQuery(search, schema, parseSetting) {
  const params = new URLSearchParams(search);
  const state = defaults(schema);
  const errors = [];
  for (const p of properties(schema)) {
    if (!params.has(p.name)) continue;
    const raw = params.get(p.name);
    try {
      state[p.name] = parseValue(p, raw, parseSetting);
    } catch (e) {
      errors.push(`${p.name}=${raw}: ${e.message ?? e} (using the default)`);
    }
  }
  const known = new Set(properties(schema).map((p) => p.name));
  for (const key of params.keys()) if (!known.has(key)) errors.push(`unknown parameter "${key}" ignored`);
  return { state, errors };
}

/** Serialises settings that differ from the defaults (autorun is never written back). */
export function toQuery(state, schema) {
  const params = new URLSearchParams();
  for (const p of properties(schema)) {
    const v = state[p.name];
    if (p.name === 'autorun' || v === null || v === undefined || v === p.default) continue;
    if (p.kind === 'list' && v.length === 0) continue;
    params.set(p.name, p.kind === 'bool' ? (v ? '1' : '0') : p.kind === 'list' ? v.join(',') : String(v));
  }
  return params.toString();
}

/**
 * Puts `settings` on a device and metric the space's cost table has (`info`: the library's
 * costInfo), the defaults' or the first, and the threshold, when unset, on the device's suggested
 * budget. Returns the messages that say what was changed, and the device's figures.
 */
export function settleDevice(settings, info, defaultSettings) {
  const messages = [];
  const names = [...new Set(info.devices.map((d) => d.device))];
  if (!names.includes(settings.device)) {
    const fallback = names.includes(defaultSettings.device) ? defaultSettings.device : names[0];
    messages.push(`device ${settings.device} has no figures for ${settings.space} (${info.unavailable}); using ${fallback}`);
    settings.device = fallback;
  }
  const find = () => info.devices.find((d) => d.device === settings.device && d.metric === settings.metric);
  if (!find()) {
    messages.push(`no ${settings.metric} figures for ${settings.device}: ${info.unavailable}`);
    settings.metric = defaultSettings.metric;
  }
  const device = find();
  if (settings.threshold === null) settings.threshold = device.suggested;
  return { messages, device, names };
}
